-- Each ruling copies its incident's state: as the SQLite migration of the
-- same number, which says why. The index is built by migration 0030, in a
-- transaction of its own (see 0026).
DROP INDEX rulings_verdict;
ALTER TABLE rulings ADD COLUMN state TEXT NOT NULL DEFAULT '';
UPDATE rulings r SET state = i.state FROM incidents i WHERE i.id = r.incident_id;
CREATE FUNCTION incidents_state_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET state = NEW.state WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_state_copies AFTER UPDATE OF state ON incidents
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state)
    EXECUTE FUNCTION incidents_state_copies();
