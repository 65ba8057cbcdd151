-- The tamper-evident log: every record written is appended, in the same
-- transaction, as an entry of a Merkle tree (RFC 6962 hashing, as in Go's
-- checksum database). log_hashes holds the tree's stored hashes
-- (golang.org/x/mod/sumdb/tlog's numbering); log_state the tree size.
CREATE TABLE log_entries (
    idx        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    record_key TEXT NOT NULL,
    data       BLOB NOT NULL,
    logged_at  TEXT NOT NULL
);
CREATE INDEX log_entries_record ON log_entries (kind, record_key, idx);

CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

CREATE TABLE log_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO log_state (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint in signed-note form).
CREATE TABLE log_checkpoints (
    size      INTEGER PRIMARY KEY,
    note      TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
