-- Agreement files as loaded, whole, so an agreement can be rebuilt exactly.
CREATE TABLE agreement_sources (
    id           INTEGER PRIMARY KEY,
    agreement_id TEXT NOT NULL,
    file         TEXT NOT NULL,
    source       BLOB NOT NULL,
    loaded_at    TEXT NOT NULL
);
CREATE INDEX agreement_sources_agreement ON agreement_sources (agreement_id, id);

-- Versions are immutable: a change is a new version, never an update.
CREATE TABLE agreement_versions (
    agreement_id   TEXT NOT NULL,
    version        INTEGER NOT NULL,
    label          TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT NOT NULL DEFAULT '',
    digest         TEXT NOT NULL,
    canonical      BLOB NOT NULL,
    stored_at      TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version)
);

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    occurred_start TEXT NOT NULL,
    occurred_end   TEXT NOT NULL,
    admin1         TEXT NOT NULL DEFAULT '',
    admin2         TEXT NOT NULL DEFAULT '',
    admin3         TEXT NOT NULL DEFAULT '',
    area           TEXT NOT NULL DEFAULT '',
    act            TEXT NOT NULL,
    state          TEXT NOT NULL,
    doc            TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end);
CREATE INDEX incidents_admin3 ON incidents (admin3);

-- One claim from one source; original is the source record verbatim.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id),
    original        TEXT NOT NULL,
    original_digest TEXT NOT NULL,
    doc             TEXT NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,
    imported_at     TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX reports_incident ON reports (incident_id);

-- Earlier readings of a source record that later changed.
CREATE TABLE report_revisions (
    report_id   INTEGER NOT NULL REFERENCES reports (id),
    revision    INTEGER NOT NULL,
    original    TEXT NOT NULL,
    doc         TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    PRIMARY KEY (report_id, revision)
);

CREATE TABLE rulings (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    agreement_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    verdict      TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    doc          TEXT NOT NULL,
    ruled_at     TEXT NOT NULL,
    PRIMARY KEY (incident_id, agreement_id)
);
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict);

CREATE TABLE ruling_parties (
    incident_id  INTEGER NOT NULL,
    agreement_id TEXT NOT NULL,
    party        TEXT NOT NULL,
    PRIMARY KEY (incident_id, agreement_id, party)
);
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party);
