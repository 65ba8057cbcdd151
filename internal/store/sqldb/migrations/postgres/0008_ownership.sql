-- See ../sqlite/0008_ownership.sql.
ALTER TABLE reports ADD COLUMN owner TEXT NOT NULL DEFAULT 'import';
UPDATE reports SET owner = 'public' WHERE source LIKE 'web-%';
ALTER TABLE reports ADD COLUMN log_key TEXT NOT NULL DEFAULT '';
UPDATE reports SET log_key = source || '/' || source_id;
ALTER TABLE reports ADD COLUMN placed_in BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN placed_why TEXT NOT NULL DEFAULT '';
