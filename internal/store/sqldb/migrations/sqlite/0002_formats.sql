-- How to read each original record ("text/csv; header=..."), stored once
-- rather than on every report: a header can be longer than the row.
CREATE TABLE original_formats (
    id     INTEGER PRIMARY KEY,
    format TEXT NOT NULL UNIQUE
);
ALTER TABLE reports ADD COLUMN format_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_revisions ADD COLUMN format_id INTEGER NOT NULL DEFAULT 0;
