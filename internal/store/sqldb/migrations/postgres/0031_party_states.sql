-- Each party's row copies its incident's state: as the SQLite migration
-- of the same number, which says why. The indexes are built by migration
-- 0032, in a transaction of its own (see 0026).
DROP INDEX ruling_parties_party;
ALTER TABLE ruling_parties ADD COLUMN state TEXT NOT NULL DEFAULT '';
UPDATE ruling_parties p SET state = i.state FROM incidents i WHERE i.id = p.incident_id;
CREATE OR REPLACE FUNCTION incidents_state_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET state = NEW.state WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET state = NEW.state WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
