-- The incidents each party is accused in or filed, with copies of the
-- incident's start, end, merged_into, state and place: as the SQLite migration
-- of the same number, which says why. Rows added and removed are handled
-- a statement at a time (an import adds thousands in one), from the
-- transition tables; a row moved, one at a time (PostgreSQL allows no
-- transition table on a trigger of named columns, and such moves are
-- rare: merges, splits, a report's party changed).
CREATE TABLE party_incidents (
    incident_id    BIGINT NOT NULL,
    party          TEXT NOT NULL,
    occurred_start TEXT NOT NULL,
    occurred_end   TEXT NOT NULL,
    merged_into    BIGINT NOT NULL,
    state          TEXT NOT NULL,
    admin3         TEXT NOT NULL,
    area           TEXT NOT NULL,
    PRIMARY KEY (incident_id, party)
);
INSERT INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
SELECT i.id, x.party, i.occurred_start, i.occurred_end, i.merged_into, i.state, i.admin3, i.area
FROM (SELECT incident_id, party FROM ruling_parties WHERE party <> '' UNION SELECT incident_id, party FROM reports WHERE party <> '') x
JOIN incidents i ON i.id = x.incident_id;
-- The rows a liaison's listing reads in order: the party's own that are
-- not published, with the very condition Store.listing writes, which the
-- planners match.
CREATE INDEX party_incidents_start ON party_incidents (party, occurred_start, incident_id, occurred_end) INCLUDE (admin3, area)
    WHERE merged_into = 0 AND state NOT IN ('verified', 'disputed', 'dismissed');

CREATE FUNCTION party_incidents_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
    SELECT i.id, n.party, i.occurred_start, i.occurred_end, i.merged_into, i.state, i.admin3, i.area
    FROM (SELECT DISTINCT incident_id, party FROM new_rows WHERE party <> '') n JOIN incidents i ON i.id = n.incident_id
    ON CONFLICT (incident_id, party) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION party_incidents_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM party_incidents p USING (SELECT DISTINCT incident_id, party FROM old_rows WHERE party <> '') o
    WHERE p.incident_id = o.incident_id AND p.party = o.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties r WHERE r.incident_id = o.incident_id AND r.party = o.party)
        AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = o.incident_id AND r.party = o.party);
    RETURN NULL;
END
$$;
CREATE FUNCTION party_incidents_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM party_incidents p WHERE p.incident_id = OLD.incident_id AND p.party = OLD.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties r WHERE r.incident_id = OLD.incident_id AND r.party = OLD.party)
        AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = OLD.incident_id AND r.party = OLD.party);
    IF NEW.party <> '' THEN
        INSERT INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
        SELECT i.id, NEW.party, i.occurred_start, i.occurred_end, i.merged_into, i.state, i.admin3, i.area FROM incidents i WHERE i.id = NEW.incident_id
        ON CONFLICT (incident_id, party) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER party_incidents_accused AFTER INSERT ON ruling_parties REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_incidents_add();
CREATE TRIGGER party_incidents_filed AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_incidents_add();
CREATE TRIGGER party_incidents_unaccused AFTER DELETE ON ruling_parties REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_incidents_remove();
CREATE TRIGGER party_incidents_unfiled AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION party_incidents_remove();
CREATE TRIGGER party_incidents_reaccused AFTER UPDATE OF incident_id, party ON ruling_parties
    FOR EACH ROW WHEN (NEW.incident_id IS DISTINCT FROM OLD.incident_id OR NEW.party IS DISTINCT FROM OLD.party)
    EXECUTE FUNCTION party_incidents_move();
CREATE TRIGGER party_incidents_refiled AFTER UPDATE OF incident_id, party ON reports
    FOR EACH ROW WHEN (NEW.incident_id IS DISTINCT FROM OLD.incident_id OR NEW.party IS DISTINCT FROM OLD.party)
    EXECUTE FUNCTION party_incidents_move();

CREATE FUNCTION party_incidents_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE party_incidents SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end, merged_into = NEW.merged_into, state = NEW.state,
        admin3 = NEW.admin3, area = NEW.area
    WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER party_incidents_copies AFTER UPDATE OF occurred_start, occurred_end, merged_into, state, admin3, area ON incidents
    FOR EACH ROW WHEN (NEW.occurred_start IS DISTINCT FROM OLD.occurred_start OR NEW.occurred_end IS DISTINCT FROM OLD.occurred_end
        OR NEW.merged_into IS DISTINCT FROM OLD.merged_into OR NEW.state IS DISTINCT FROM OLD.state
        OR NEW.admin3 IS DISTINCT FROM OLD.admin3 OR NEW.area IS DISTINCT FROM OLD.area)
    EXECUTE FUNCTION party_incidents_copies();
