-- Reads at a million incidents (issue 17, item 8).
--
-- A page of incidents filtered by verdict or party, in time order, is read
-- from rulings or ruling_parties: each holds a copy of its incident's
-- start, indexed after the filter's columns, so that the page is one range
-- of the index in the listing's order and stops at the limit instead of
-- sorting every match. The copies are written with the rows (from the
-- incident's row, in the INSERT itself: batch.go) and kept right by the
-- trigger below whenever an incident's start changes, whatever changes
-- it (an import joining or revising reports, a merge or split).
ALTER TABLE rulings ADD COLUMN occurred_start TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN occurred_start TEXT NOT NULL DEFAULT '';
-- A party's row also holds its ruling's verdict, for a party's violations.
ALTER TABLE ruling_parties ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
-- What the dashboard and the ruling summary count by, beside the verdict,
-- outcome and version, so that they count with GROUP BY instead of reading
-- every ruling's document: JSON arrays of the ruling's parties, clauses
-- and guarantors, as in the document.
ALTER TABLE rulings ADD COLUMN parties TEXT NOT NULL DEFAULT '[]';
ALTER TABLE rulings ADD COLUMN clauses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE rulings ADD COLUMN guarantors TEXT NOT NULL DEFAULT '[]';
UPDATE rulings SET
    occurred_start = coalesce((SELECT i.occurred_start FROM incidents i WHERE i.id = rulings.incident_id), ''),
    parties = coalesce(json_extract(doc, '$.parties'), '[]'),
    clauses = coalesce(json_extract(doc, '$.clauses'), '[]'),
    guarantors = coalesce(json_extract(doc, '$.guarantors'), '[]');
-- And whether the incident was merged into another (its merged_into), so
-- that a count of a verdict's or a party's incidents reads the index
-- alone (rulings_verdict, ruling_parties_party) when nothing else of the
-- incident is asked.
ALTER TABLE rulings ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ruling_parties ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
UPDATE rulings SET merged_into = (SELECT i.merged_into FROM incidents i WHERE i.id = rulings.incident_id)
    WHERE incident_id IN (SELECT id FROM incidents WHERE merged_into <> 0);
UPDATE ruling_parties SET merged_into = (SELECT i.merged_into FROM incidents i WHERE i.id = ruling_parties.incident_id)
    WHERE incident_id IN (SELECT id FROM incidents WHERE merged_into <> 0);
UPDATE ruling_parties SET
    occurred_start = coalesce((SELECT i.occurred_start FROM incidents i WHERE i.id = ruling_parties.incident_id), ''),
    verdict = coalesce((SELECT r.verdict FROM rulings r WHERE r.incident_id = ruling_parties.incident_id AND r.agreement_id = ruling_parties.agreement_id), '');
DROP INDEX rulings_verdict;
-- Beyond the listing's order, what the summaries count by (RulingCounts):
-- a count reads this index, not every ruling's row with its document.
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, merged_into, version, outcome, parties, clauses, guarantors);
DROP INDEX ruling_parties_party;
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id, verdict, merged_into);
CREATE TRIGGER incidents_start_copies AFTER UPDATE OF occurred_start ON incidents
WHEN NEW.occurred_start IS NOT OLD.occurred_start
BEGIN
    UPDATE rulings SET occurred_start = NEW.occurred_start WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET occurred_start = NEW.occurred_start WHERE incident_id = NEW.id;
END;
CREATE TRIGGER incidents_merged_copies AFTER UPDATE OF merged_into ON incidents
WHEN NEW.merged_into IS NOT OLD.merged_into
BEGIN
    UPDATE rulings SET merged_into = NEW.merged_into WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET merged_into = NEW.merged_into WHERE incident_id = NEW.id;
END;
-- A period (From, To) is an overlap, end > From and start < To, which no
-- B-tree answers in time order: bounded below by From less the longest
-- span of any incident, it becomes a range of incidents_start (or of the
-- copies above). The longest span is the last entry of this index.
CREATE INDEX incidents_span ON incidents ((julianday(occurred_end) - julianday(occurred_start)));
-- The review queue (State) in the listing's order, id included: a page is
-- read from the index whichever way it is sorted.
DROP INDEX incidents_state;
CREATE INDEX incidents_state ON incidents (state, occurred_start, id, merged_into);
-- The indexes a count by period or by P-code reads also hold merged_into,
-- the one other thing the count asks, so that it reads the index alone
-- and not up to store.CountCap+1 incident rows.
DROP INDEX incidents_time;
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end, merged_into);
DROP INDEX incidents_admin3;
CREATE INDEX incidents_admin3 ON incidents (admin3 COLLATE NOCASE, merged_into);
DROP INDEX incidents_area;
CREATE INDEX incidents_area ON incidents (area COLLATE NOCASE, merged_into) WHERE admin3 = '';
-- What the filters test of an incident found through rulings or
-- ruling_parties, by id, and what the summaries count by: a page's count
-- checks up to store.CountCap+1 of them, a summary every one, which this
-- reads instead of as many incident rows (about a kilobyte each, their
-- document inline).
CREATE INDEX incidents_cover ON incidents (id, merged_into, state, occurred_end, admin3, area, cell);
