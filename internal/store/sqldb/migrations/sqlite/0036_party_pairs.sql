-- A party's listing read by another party's liaison (GOV's liaison
-- reading OPP's violations, issue 17 item 8): the published rows, and the
-- rows of incidents GOV is accused in or filed too. Found by testing each
-- of OPP's rows for GOV, a page tested thousands when the two are rarely
-- accused together (at a million, OPP's 39,000 rows for none), its count
-- every one.
--
-- party_pairs holds, for each party's row of ruling_parties, one row for
-- each other party whose own incident it is (party_incidents: accused or
-- filed), with that incident's copies, kept by the triggers below: the
-- second part of such a listing (Store.liaisonIncidents) reads it in order.
CREATE TABLE party_pairs (
    incident_id    INTEGER NOT NULL,
    agreement_id   TEXT NOT NULL,
    party          TEXT NOT NULL,
    viewer         TEXT NOT NULL,
    occurred_start TEXT NOT NULL,
    occurred_end   TEXT NOT NULL,
    merged_into    INTEGER NOT NULL,
    state          TEXT NOT NULL,
    PRIMARY KEY (incident_id, agreement_id, party, viewer)
);
INSERT INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
SELECT p.incident_id, p.agreement_id, p.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
FROM ruling_parties p JOIN party_incidents v ON v.incident_id = p.incident_id AND v.party <> p.party;
CREATE INDEX party_pairs_start ON party_pairs (agreement_id, party, viewer, occurred_start, incident_id, occurred_end, merged_into, state)
    WHERE merged_into = 0 AND state NOT IN ('verified', 'disputed', 'dismissed');

-- A viewer's incident added or removed.
CREATE TRIGGER party_pairs_viewer AFTER INSERT ON party_incidents BEGIN
    INSERT OR IGNORE INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT p.incident_id, p.agreement_id, p.party, NEW.party, NEW.occurred_start, NEW.occurred_end, NEW.merged_into, NEW.state
    FROM ruling_parties p WHERE p.incident_id = NEW.incident_id AND p.party <> NEW.party;
END;
CREATE TRIGGER party_pairs_unviewer AFTER DELETE ON party_incidents BEGIN
    DELETE FROM party_pairs WHERE incident_id = OLD.incident_id AND viewer = OLD.party;
END;
-- A party's row added, removed or moved.
CREATE TRIGGER party_pairs_accused AFTER INSERT ON ruling_parties BEGIN
    INSERT OR IGNORE INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT NEW.incident_id, NEW.agreement_id, NEW.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
    FROM party_incidents v WHERE v.incident_id = NEW.incident_id AND v.party <> NEW.party;
END;
CREATE TRIGGER party_pairs_unaccused AFTER DELETE ON ruling_parties BEGIN
    DELETE FROM party_pairs WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND party = OLD.party;
END;
CREATE TRIGGER party_pairs_reaccused AFTER UPDATE OF incident_id, agreement_id, party ON ruling_parties
WHEN NEW.incident_id IS NOT OLD.incident_id OR NEW.agreement_id IS NOT OLD.agreement_id OR NEW.party IS NOT OLD.party BEGIN
    DELETE FROM party_pairs WHERE incident_id = OLD.incident_id AND agreement_id = OLD.agreement_id AND party = OLD.party;
    INSERT OR IGNORE INTO party_pairs (incident_id, agreement_id, party, viewer, occurred_start, occurred_end, merged_into, state)
    SELECT NEW.incident_id, NEW.agreement_id, NEW.party, v.party, v.occurred_start, v.occurred_end, v.merged_into, v.state
    FROM party_incidents v WHERE v.incident_id = NEW.incident_id AND v.party <> NEW.party;
END;
-- The incident's copies, as party_incidents' (0035).
CREATE TRIGGER party_pairs_copies AFTER UPDATE OF occurred_start, occurred_end, merged_into, state ON party_incidents
WHEN NEW.occurred_start IS NOT OLD.occurred_start OR NEW.occurred_end IS NOT OLD.occurred_end
    OR NEW.merged_into IS NOT OLD.merged_into OR NEW.state IS NOT OLD.state BEGIN
    UPDATE party_pairs SET occurred_start = NEW.occurred_start, occurred_end = NEW.occurred_end, merged_into = NEW.merged_into, state = NEW.state
    WHERE incident_id = NEW.incident_id AND viewer = NEW.party;
END;
