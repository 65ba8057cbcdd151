-- See ../sqlite/0003_log.sql.
CREATE TABLE log_entries (
    idx        BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL,
    record_key TEXT NOT NULL,
    data       BYTEA NOT NULL,
    logged_at  TEXT NOT NULL
);
CREATE INDEX log_entries_record ON log_entries (kind, record_key, idx);

CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE log_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO log_state (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint in signed-note form).
CREATE TABLE log_checkpoints (
    size      BIGINT PRIMARY KEY,
    note      TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
