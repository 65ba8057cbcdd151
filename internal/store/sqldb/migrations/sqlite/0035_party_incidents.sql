-- A party's liaison sees the published incidents and those the party is
-- accused in (under any agreement) or filed a report on (issue 17, item
-- 8). Each page tested that for every incident it passed: two look-ups
-- (ruling_parties, reports) for each of the seven in eight a liaison does
-- not see, and a count tested up to 80,000 incidents so at a million.
--
-- party_incidents holds, for each party, the incidents it is accused in
-- or filed, with copies of the incident's start, end, merged_into, state
-- and place (admin3, area), kept by the triggers below: a liaison's page is then two pages
-- merged (Store.liaisonIncidents), the published incidents' and the
-- party's own that are not published, each read in order from its index,
-- and the visibility test elsewhere one look-up by key.
CREATE TABLE party_incidents (
    incident_id    INTEGER NOT NULL,
    party          TEXT NOT NULL,
    occurred_start TEXT NOT NULL,
    occurred_end   TEXT NOT NULL,
    merged_into    INTEGER NOT NULL,
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
-- planners match. SQLite tests that condition again on the columns
-- themselves, which the index holds so as to be read alone, with the
-- place: a page or count of a governorate then reads no incident.
CREATE INDEX party_incidents_start ON party_incidents (party, occurred_start, incident_id, occurred_end, merged_into, state, admin3, area)
    WHERE merged_into = 0 AND state NOT IN ('verified', 'disputed', 'dismissed');

-- A party's row or report added: the pair, if new.
CREATE TRIGGER party_incidents_accused AFTER INSERT ON ruling_parties WHEN NEW.party <> '' BEGIN
    INSERT OR IGNORE INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
    SELECT id, NEW.party, occurred_start, occurred_end, merged_into, state, admin3, area FROM incidents WHERE id = NEW.incident_id;
END;
CREATE TRIGGER party_incidents_filed AFTER INSERT ON reports WHEN NEW.party <> '' BEGIN
    INSERT OR IGNORE INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
    SELECT id, NEW.party, occurred_start, occurred_end, merged_into, state, admin3, area FROM incidents WHERE id = NEW.incident_id;
END;
-- One removed: the pair, unless another row or report still makes it.
CREATE TRIGGER party_incidents_unaccused AFTER DELETE ON ruling_parties WHEN OLD.party <> '' BEGIN
    DELETE FROM party_incidents WHERE incident_id = OLD.incident_id AND party = OLD.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties WHERE incident_id = OLD.incident_id AND party = OLD.party)
        AND NOT EXISTS (SELECT 1 FROM reports WHERE incident_id = OLD.incident_id AND party = OLD.party);
END;
CREATE TRIGGER party_incidents_unfiled AFTER DELETE ON reports WHEN OLD.party <> '' BEGIN
    DELETE FROM party_incidents WHERE incident_id = OLD.incident_id AND party = OLD.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties WHERE incident_id = OLD.incident_id AND party = OLD.party)
        AND NOT EXISTS (SELECT 1 FROM reports WHERE incident_id = OLD.incident_id AND party = OLD.party);
END;
-- One moved (a report merged into another incident, split off, or its
-- party changed on a re-import): both.
CREATE TRIGGER party_incidents_reaccused AFTER UPDATE OF incident_id, party ON ruling_parties
WHEN NEW.incident_id IS NOT OLD.incident_id OR NEW.party IS NOT OLD.party BEGIN
    DELETE FROM party_incidents WHERE incident_id = OLD.incident_id AND party = OLD.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties WHERE incident_id = OLD.incident_id AND party = OLD.party)
        AND NOT EXISTS (SELECT 1 FROM reports WHERE incident_id = OLD.incident_id AND party = OLD.party);
    INSERT OR IGNORE INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
    SELECT id, NEW.party, occurred_start, occurred_end, merged_into, state, admin3, area FROM incidents WHERE id = NEW.incident_id AND NEW.party <> '';
END;
CREATE TRIGGER party_incidents_refiled AFTER UPDATE OF incident_id, party ON reports
WHEN NEW.incident_id IS NOT OLD.incident_id OR NEW.party IS NOT OLD.party BEGIN
    DELETE FROM party_incidents WHERE incident_id = OLD.incident_id AND party = OLD.party
        AND NOT EXISTS (SELECT 1 FROM ruling_parties WHERE incident_id = OLD.incident_id AND party = OLD.party)
        AND NOT EXISTS (SELECT 1 FROM reports WHERE incident_id = OLD.incident_id AND party = OLD.party);
    INSERT OR IGNORE INTO party_incidents (incident_id, party, occurred_start, occurred_end, merged_into, state, admin3, area)
    SELECT id, NEW.party, occurred_start, occurred_end, merged_into, state, admin3, area FROM incidents WHERE id = NEW.incident_id AND NEW.party <> '';
END;
-- The incident's copies, as rulings' and ruling_parties' (0016, 0026, 0029).
CREATE TRIGGER party_incidents_copies AFTER UPDATE OF occurred_start, occurred_end, merged_into, state, admin3, area ON incidents
WHEN NEW.occurred_start IS NOT OLD.occurred_start OR NEW.occurred_end IS NOT OLD.occurred_end
    OR NEW.merged_into IS NOT OLD.merged_into OR NEW.state IS NOT OLD.state OR NEW.admin3 IS NOT OLD.admin3 OR NEW.area IS NOT OLD.area BEGIN
    UPDATE party_incidents SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end, merged_into = NEW.merged_into, state = NEW.state,
        admin3 = NEW.admin3, area = NEW.area
    WHERE incident_id = NEW.id;
END;
