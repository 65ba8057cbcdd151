-- The dashboard and the ruling summary at a million incidents (issue 17,
-- item 8). They group the rulings by their version, verdict, outcome,
-- lists and their incident's state: the state was read by joining each
-- ruling to its incident, a million look-ups that made most of the
-- summary's 5.5-6.4 s on SQLite, counted again after every write. Each
-- ruling now copies its incident's state, as it copies its start, end and
-- merge (migrations 0016 and 0026), kept by the trigger below, and
-- rulings_verdict holds it, so that the counts read that index alone.
ALTER TABLE rulings ADD COLUMN state TEXT NOT NULL DEFAULT '';
UPDATE rulings SET state = coalesce((SELECT i.state FROM incidents i WHERE i.id = rulings.incident_id), '');
DROP INDEX rulings_verdict;
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end, merged_into, version, outcome, parties, clauses, guarantors, state);
CREATE TRIGGER incidents_state_copies AFTER UPDATE OF state ON incidents
WHEN NEW.state IS NOT OLD.state
BEGIN
    UPDATE rulings SET state = NEW.state WHERE incident_id = NEW.id;
END;
