-- A period's page of a verdict's or a party's incidents (issue 17, item
-- 8). Read from rulings_verdict or ruling_parties_party in time order,
-- the page is bounded below by the period's start less the longest span
-- of any incident (sinceFor), and each entry in that range had its
-- incident looked up for its end: with one incident a year long stored
-- (the shared UCDP file holds eight), every page of a month looked up a
-- year of incidents (0.2 s a page at a million, 0.6 s in PostgreSQL, and
-- a second and more under load). As migration 0025 did for incidents,
-- the end is copied beside the start and tested on the index entries, so
-- that only the incidents of the page are read. The copies are written
-- with the rows (batch.go) and kept right by the trigger below.
ALTER TABLE rulings ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
UPDATE rulings SET occurred_end = coalesce((SELECT i.occurred_end FROM incidents i WHERE i.id = rulings.incident_id), '');
UPDATE ruling_parties SET occurred_end = coalesce((SELECT i.occurred_end FROM incidents i WHERE i.id = ruling_parties.incident_id), '');
DROP INDEX rulings_verdict;
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end, merged_into, version, outcome, parties, clauses, guarantors);
DROP INDEX ruling_parties_party;
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id, occurred_end, verdict, merged_into);
DROP TRIGGER incidents_start_copies;
CREATE TRIGGER incidents_start_copies AFTER UPDATE OF occurred_start, occurred_end ON incidents
WHEN NEW.occurred_start IS NOT OLD.occurred_start OR NEW.occurred_end IS NOT OLD.occurred_end
BEGIN
    UPDATE rulings SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end WHERE incident_id = NEW.id;
END;
