-- A period's page of a verdict's or a party's incidents (issue 17, item
-- 8): the end copied beside the start, as in the SQLite migration of the
-- same number, which says why. The indexes that read it are built by
-- migration 0027, in a transaction of its own: built in this one, they
-- would also index every row version this UPDATE replaced (deleted by the
-- building transaction itself), twice the entries, 337 MB against 186 MB
-- at a million. They are dropped first, so that the UPDATE does not
-- maintain them either.
DROP INDEX rulings_verdict;
DROP INDEX ruling_parties_party;
ALTER TABLE rulings ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN occurred_end TEXT NOT NULL DEFAULT '';
UPDATE rulings r SET occurred_end = i.occurred_end FROM incidents i WHERE i.id = r.incident_id;
UPDATE ruling_parties p SET occurred_end = i.occurred_end FROM incidents i WHERE i.id = p.incident_id;
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
