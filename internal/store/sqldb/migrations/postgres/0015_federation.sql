-- See ../sqlite/0015_federation.sql.
CREATE TABLE peers (
    name       TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    pubkey     TEXT NOT NULL,
    token      TEXT NOT NULL DEFAULT '',
    size       BIGINT NOT NULL DEFAULT 0,
    checkpoint TEXT NOT NULL DEFAULT '',
    flag       TEXT NOT NULL DEFAULT '',
    flag_index BIGINT NOT NULL DEFAULT -1,
    proof_a    TEXT NOT NULL DEFAULT '',
    proof_b    TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    last_pull  TEXT NOT NULL DEFAULT '',
    added_at   TEXT NOT NULL
);

CREATE TABLE peer_entries (
    peer TEXT NOT NULL,
    idx  BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (peer, idx)
);
CREATE TABLE peer_hashes (
    peer TEXT NOT NULL,
    idx  BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (peer, idx)
);

CREATE TABLE peer_records (
    peer       TEXT NOT NULL,
    idx        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    record_key TEXT NOT NULL,
    content    TEXT NOT NULL,
    local_id   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (peer, idx)
);
CREATE INDEX peer_records_pending ON peer_records (peer, kind, local_id, idx);

CREATE TABLE peer_event_reports (
    peer      TEXT NOT NULL,
    idx       BIGINT NOT NULL,
    source    TEXT NOT NULL,
    source_id TEXT NOT NULL,
    PRIMARY KEY (peer, idx, source, source_id)
);
CREATE INDEX peer_event_reports_report ON peer_event_reports (source, source_id);

CREATE TABLE peer_checkpoints (
    node        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    root        TEXT NOT NULL,
    via         TEXT NOT NULL,
    note        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (node, size, root, via)
);

CREATE TABLE peer_grants (
    name       TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kinds      TEXT NOT NULL DEFAULT '',
    events     INTEGER NOT NULL DEFAULT 1,
    evidence   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE INDEX reports_logged_as ON reports (log_key);
