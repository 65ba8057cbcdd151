-- What an evidence file says about itself (type, capture time and place,
-- camera), and its chain of custody: every receipt and every hand it
-- passed through, each entry in the log.
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
