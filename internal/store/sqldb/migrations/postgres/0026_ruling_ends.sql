-- A period's page of a verdict's or a party's incidents (issue 17, item
-- 8): the end copied beside the start, as in the SQLite migration of the
-- same number, which says why. The end is a key column of the indexes,
-- not an included one, so that the condition on it is tested on the
-- index entries (an Index Cond) and not on each row fetched.
ALTER TABLE rulings ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
UPDATE rulings r SET occurred_end = i.occurred_end FROM incidents i WHERE i.id = r.incident_id;
UPDATE ruling_parties p SET occurred_end = i.occurred_end FROM incidents i WHERE i.id = p.incident_id;
DROP INDEX rulings_verdict;
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end) INCLUDE (merged_into, version, outcome, parties, clauses, guarantors);
DROP INDEX ruling_parties_party;
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id, occurred_end) INCLUDE (verdict, merged_into);
CREATE OR REPLACE FUNCTION incidents_start_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER incidents_start_copies ON incidents;
CREATE TRIGGER incidents_start_copies AFTER UPDATE OF occurred_start, occurred_end ON incidents
    FOR EACH ROW WHEN (NEW.occurred_start IS DISTINCT FROM OLD.occurred_start OR NEW.occurred_end IS DISTINCT FROM OLD.occurred_end)
    EXECUTE FUNCTION incidents_start_copies();
