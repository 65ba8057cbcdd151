-- Humanitarian records (internal/humanitarian): sieges, access requests,
-- cases of detainees, abductees and the missing, lists, exchanges,
-- evacuations, displacement figures and match decisions. Each change is a
-- new revision, never an edit; the latest revision is the record. doc is
-- the record's JSON as stored, identities sealed, and each revision is in
-- the log ("humanitarian", key kind/id, its revision, the digest of doc).
-- Nothing is indexed out of doc (area, dates): records are few, read
-- whole, and a column copied out of the document would be one more thing
-- an edit could change without the log noticing.
CREATE TABLE humanitarian_records (
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    rev       INTEGER NOT NULL,
    doc       BLOB NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (kind, id, rev)
);
