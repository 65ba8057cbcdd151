-- The public's listings at a million (issue 17, item 8). Whoever does not
-- see everything sees the published incidents only (verified, disputed,
-- dismissed): a condition on the incident's state, which the indexes the
-- listings read in order did not hold. While few incidents are published
-- (a mechanism's first months), a page looked up one incident after
-- another to find its fifty, or every one to find none: at a million,
-- with one incident in a hundred published, 25-50 ms a page alone, and
-- 67 pages a second under eight readers (a reviewer's, 450).
--
-- Each party's row now copies its incident's state, as rulings do
-- (migration 0029), kept by the trigger below, and each index a listing
-- reads in order holds the state after its other columns, so that the
-- condition is tested on the index entries and only the incidents shown
-- are read.
ALTER TABLE ruling_parties ADD COLUMN state TEXT NOT NULL DEFAULT '';
UPDATE ruling_parties SET state = coalesce((SELECT i.state FROM incidents i WHERE i.id = ruling_parties.incident_id), '');
DROP INDEX ruling_parties_party;
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id, occurred_end, verdict, merged_into, state);
DROP TRIGGER incidents_state_copies;
CREATE TRIGGER incidents_state_copies AFTER UPDATE OF state ON incidents
WHEN NEW.state IS NOT OLD.state
BEGIN
    UPDATE rulings SET state = NEW.state WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET state = NEW.state WHERE incident_id = NEW.id;
END;
DROP INDEX incidents_start;
CREATE INDEX incidents_start ON incidents (occurred_start, id, occurred_end, merged_into, state);
DROP INDEX incidents_time;
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end, merged_into, state);
DROP INDEX incidents_admin3;
CREATE INDEX incidents_admin3 ON incidents (admin3 COLLATE NOCASE, merged_into, state);
DROP INDEX incidents_area;
CREATE INDEX incidents_area ON incidents (area COLLATE NOCASE, merged_into, state) WHERE admin3 = '';
-- The published rows alone, in time order: what PostgreSQL's migration
-- 0032 adds for its planner, which tests "state IN (…)" on a later column
-- of an index read in order only on the rows it fetches. SQLite, which
-- tests it on the entries of the indexes above, chooses these when it
-- may, and the two engines keep the same indexes.
CREATE INDEX incidents_published ON incidents (occurred_start, id, occurred_end)
    WHERE merged_into = 0 AND state IN ('verified', 'disputed', 'dismissed');
CREATE INDEX rulings_published ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end)
    WHERE merged_into = 0 AND state IN ('verified', 'disputed', 'dismissed');
CREATE INDEX ruling_parties_published ON ruling_parties (agreement_id, party, occurred_start, incident_id, occurred_end, verdict)
    WHERE merged_into = 0 AND state IN ('verified', 'disputed', 'dismissed');
