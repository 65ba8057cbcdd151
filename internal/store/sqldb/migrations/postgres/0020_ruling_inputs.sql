-- What each ruling was made from (issue 17, item 4): the SHA-256 of the
-- key the application rules with (the engine, the agreement, the actors
-- and control layers: app.rulingKey) followed by the incident's document
-- as stored when it was ruled. truce rule rules again only the incidents
-- whose stored ruling was not made from the facts and key of now, and
-- counts the others from their rulings rows. Empty for rulings stored
-- before, or by a path that gives no key: those are ruled again.
ALTER TABLE rulings ADD COLUMN inputs BYTEA NOT NULL DEFAULT ''::bytea;
-- A ruling changed by any other way than with its inputs (by hand, or by
-- a build that knows nothing of them) is no longer known to be what its
-- inputs give: they are cleared, and truce rule rules it again and puts
-- it back, as it always did. The same for a party's row deleted or
-- changed, and for a notification deleted (the store never deletes one),
-- which truce rule puts back likewise.
CREATE FUNCTION rulings_inputs_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.inputs := ''::bytea;
    RETURN NEW;
END
$$;
CREATE TRIGGER rulings_inputs_stale BEFORE UPDATE OF version, verdict, outcome, doc, parties, clauses ON rulings
    FOR EACH ROW WHEN (NEW.inputs = OLD.inputs AND NEW.inputs <> ''::bytea AND (NEW.version IS DISTINCT FROM OLD.version
        OR NEW.verdict IS DISTINCT FROM OLD.verdict OR NEW.outcome IS DISTINCT FROM OLD.outcome OR NEW.doc IS DISTINCT FROM OLD.doc
        OR NEW.parties IS DISTINCT FROM OLD.parties OR NEW.clauses IS DISTINCT FROM OLD.clauses))
    EXECUTE FUNCTION rulings_inputs_stale();
CREATE FUNCTION ruling_inputs_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET inputs = ''::bytea WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND inputs <> ''::bytea;
    IF TG_OP = 'UPDATE' THEN
        UPDATE rulings SET inputs = ''::bytea WHERE incident_id = NEW.incident_id AND agreement_id = NEW.agreement_id AND inputs <> ''::bytea;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ruling_parties_inputs_stale AFTER DELETE OR UPDATE OF party, incident_id, agreement_id ON ruling_parties
    FOR EACH ROW EXECUTE FUNCTION ruling_inputs_clear();
CREATE TRIGGER notifications_inputs_stale AFTER DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION ruling_inputs_clear();
