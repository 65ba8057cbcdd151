-- See ../sqlite/0007_datasets.sql.
ALTER TABLE incidents ADD COLUMN datasets TEXT NOT NULL DEFAULT '';
CREATE INDEX incidents_datasets ON incidents (datasets);
DROP INDEX incidents_admin1;
DROP INDEX incidents_cell;
DROP INDEX incidents_time;
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end, cell);
