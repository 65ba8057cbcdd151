-- Clustering and the verification workflow.
--
-- An incident keeps its place as columns too, to find the incidents near
-- a new report: cell is a 0.25° grid cell (lat and lon cell numbers
-- packed), 0 when the incident has no meaningful point. merged_into is
-- the incident that took over this one's reports. state, grade and
-- assignee are the fold of incident_events, kept for listing.
ALTER TABLE incidents ADD COLUMN cell INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
CREATE INDEX incidents_cell ON incidents (cell, occurred_start);
CREATE INDEX incidents_admin1 ON incidents (admin1, occurred_start);

-- Why a report joined its incident; pinned when a reviewer put it there.
ALTER TABLE reports ADD COLUMN joined TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;

-- Every step of an incident's history; each is in the log.
CREATE TABLE incident_events (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    seq         INTEGER NOT NULL,
    action      TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    doc         TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);

-- Users of the API; only a token's SHA-256 is kept.
CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    party      TEXT NOT NULL DEFAULT '',
    guarantor  TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Evidence files, by the SHA-256 of their content; each is in the log.
CREATE TABLE evidence (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    added_by   TEXT NOT NULL,
    added_at   TEXT NOT NULL
);

-- A party is told when an incident is first ruled its violation.
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    party        TEXT NOT NULL,
    incident_id  INTEGER NOT NULL,
    agreement_id TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (party, incident_id, agreement_id)
);
