-- How each report was read: a daily sync skips a record stored with the
-- same original and format only when it was read the same way (the same
-- build of truce, actor registry, time zone and options: app/reading.go),
-- so that an upgrade or a new actors file reads every record once again.
-- A fingerprint is stored once; reports refer to it by id (0: not read
-- from a dataset file, or stored before this migration).
CREATE TABLE readings (
    id          INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE
);
ALTER TABLE reports ADD COLUMN reading_id INTEGER NOT NULL DEFAULT 0;
