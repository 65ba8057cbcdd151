-- What each ruling was made from (issue 17, item 4): the SHA-256 of the
-- key the application rules with (the engine, the agreement, the actors
-- and control layers: app.rulingKey) followed by the incident's document
-- as stored when it was ruled. truce rule rules again only the incidents
-- whose stored ruling was not made from the facts and key of now, and
-- counts the others from their rulings rows. Empty for rulings stored
-- before, or by a path that gives no key: those are ruled again.
ALTER TABLE rulings ADD COLUMN inputs BLOB NOT NULL DEFAULT x'';
-- A ruling changed by any other way than with its inputs (by hand, or by
-- a build that knows nothing of them) is no longer known to be what its
-- inputs give: they are cleared, and truce rule rules it again and puts
-- it back, as it always did. The same for a party's row deleted or
-- changed, and for a notification deleted (the store never deletes one),
-- which truce rule puts back likewise.
CREATE TRIGGER rulings_inputs_stale AFTER UPDATE OF version, verdict, outcome, doc, parties, clauses ON rulings
WHEN NEW.inputs = OLD.inputs AND NEW.inputs <> x'' AND (NEW.version IS NOT OLD.version OR NEW.verdict IS NOT OLD.verdict
    OR NEW.outcome IS NOT OLD.outcome OR NEW.doc IS NOT OLD.doc OR NEW.parties IS NOT OLD.parties OR NEW.clauses IS NOT OLD.clauses)
BEGIN
    UPDATE rulings SET inputs = x'' WHERE incident_id = NEW.incident_id AND agreement_id = NEW.agreement_id;
END;
CREATE TRIGGER ruling_parties_inputs_stale AFTER DELETE ON ruling_parties
BEGIN
    UPDATE rulings SET inputs = x'' WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND inputs <> x'';
END;
CREATE TRIGGER ruling_parties_inputs_changed AFTER UPDATE OF party, incident_id, agreement_id ON ruling_parties
BEGIN
    UPDATE rulings SET inputs = x'' WHERE incident_id IN (OLD.incident_id, NEW.incident_id) AND inputs <> x'';
END;
CREATE TRIGGER notifications_inputs_stale AFTER DELETE ON notifications
BEGIN
    UPDATE rulings SET inputs = x'' WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND inputs <> x'';
END;
