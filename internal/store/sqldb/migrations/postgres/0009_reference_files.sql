-- See ../sqlite/0009_reference_files.sql.
CREATE TABLE reference_files (
    id        BIGINT PRIMARY KEY,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    file      TEXT NOT NULL,
    source    BYTEA NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE INDEX reference_files_name ON reference_files (kind, name, id);
