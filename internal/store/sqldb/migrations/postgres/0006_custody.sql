-- See ../sqlite/0006_custody.sql.
ALTER TABLE evidence ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
CREATE TABLE evidence_custody (
    sha256  TEXT NOT NULL REFERENCES evidence (sha256),
    seq     INTEGER NOT NULL,
    action  TEXT NOT NULL,
    by_user TEXT NOT NULL,
    doc     TEXT NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (sha256, seq)
);
