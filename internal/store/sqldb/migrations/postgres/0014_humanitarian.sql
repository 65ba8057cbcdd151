-- See ../sqlite/0014_humanitarian.sql.
CREATE TABLE humanitarian_records (
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    rev       INTEGER NOT NULL,
    doc       BYTEA NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (kind, id, rev)
);
