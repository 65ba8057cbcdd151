-- For each party's row of ruling_parties, one row for each other party
-- whose own incident it is, with the incident's copies: as the SQLite
-- migration of the same number, which says why. Rows added and removed
-- a statement at a time from the transition tables, as in 0035.
CREATE TABLE party_pairs (
    incident_id    BIGINT NOT NULL,
    agreement_id   TEXT NOT NULL,
    party          TEXT NOT NULL,
    viewer         TEXT NOT NULL,
    occurred_start TEXT NOT NULL,
    occurred_end   TEXT NOT NULL,
    merged_into    BIGINT NOT NULL,
    state          TEXT NOT NULL,
    PRIMARY KEY (incident_id, agreement_id, party, viewer)
);
INSERT INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
SELECT p.incident_id, p.agreement_id, p.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
FROM ruling_parties p JOIN party_incidents v ON v.incident_id = p.incident_id AND v.party <> p.party;
CREATE INDEX party_pairs_start ON party_pairs (agreement_id, party, viewer, occurred_start, incident_id, occurred_end)
    WHERE merged_into = 0 AND state NOT IN ('verified', 'disputed', 'dismissed');

CREATE FUNCTION party_pairs_viewer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT p.incident_id, p.agreement_id, p.party, n.party, n.occurred_start, n.occurred_end, n.merged_into, n.state
    FROM new_rows n JOIN ruling_parties p ON p.incident_id = n.incident_id AND p.party <> n.party
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_pairs_unviewer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM party_pairs pp USING old_rows o WHERE pp.incident_id = o.incident_id AND pp.viewer = o.party;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_pairs_accused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT n.incident_id, n.agreement_id, n.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
    FROM new_rows n JOIN party_incidents v ON v.incident_id = n.incident_id AND v.party <> n.party
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_pairs_unaccused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM party_pairs pp USING old_rows o
    WHERE pp.incident_id = o.incident_id AND pp.agreement_id = o.agreement_id AND pp.party = o.party;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_pairs_reaccused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM party_pairs WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND party = OLD.party;
    INSERT INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT NEW.incident_id, NEW.agreement_id, NEW.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
    FROM party_incidents v WHERE v.incident_id = NEW.incident_id AND v.party <> NEW.party
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_pairs_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE party_pairs SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end, merged_into = NEW.merged_into, state = NEW.state
    WHERE incident_id = NEW.incident_id AND viewer = NEW.party;
    RETURN NULL;
END
$$;
CREATE TRIGGER party_pairs_viewer AFTER INSERT ON party_incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_pairs_viewer();
CREATE TRIGGER party_pairs_unviewer AFTER DELETE ON party_incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_pairs_unviewer();
CREATE TRIGGER party_pairs_accused AFTER INSERT ON ruling_parties REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_pairs_accused();
CREATE TRIGGER party_pairs_unaccused AFTER DELETE ON ruling_parties REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_pairs_unaccused();
CREATE TRIGGER party_pairs_reaccused AFTER UPDATE OF incident_id, agreement_id, party ON ruling_parties
    FOR EACH ROW WHEN (NEW.incident_id IS DISTINCT FROM OLD.incident_id OR NEW.agreement_id IS DISTINCT FROM OLD.agreement_id OR NEW.party IS DISTINCT FROM OLD.party)
    EXECUTE FUNCTION party_pairs_reaccused();
CREATE TRIGGER party_pairs_copies AFTER UPDATE OF occurred_start, occurred_end, merged_into, state ON party_incidents
    FOR EACH ROW WHEN (NEW.occurred_start IS DISTINCT FROM OLD.occurred_start OR NEW.occurred_end IS DISTINCT FROM OLD.occurred_end
        OR NEW.merged_into IS DISTINCT FROM OLD.merged_into OR NEW.state IS DISTINCT FROM OLD.state)
    EXECUTE FUNCTION party_pairs_copies();
