-- The curated datasets among an incident's reports ("|acled|ucdp-ged|"),
-- so that intake can skip the incidents a dataset record may not join
-- (two records of one dataset are two events), and skip the search
-- altogether when every incident holds the dataset's own records (a bulk
-- import of one dataset), which the index answers at once.
ALTER TABLE incidents ADD COLUMN datasets TEXT NOT NULL DEFAULT '';
CREATE INDEX incidents_datasets ON incidents (datasets);
-- Area-only incidents are found by their cell (0) and time; the admin1
-- index cost every import more than it saved intake.
DROP INDEX incidents_admin1;
-- Intake's search by cell reads the cell from the time index; a separate
-- cell index, inserted into at random, made a million-row import
-- several times slower.
DROP INDEX incidents_cell;
DROP INDEX incidents_time;
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end, cell);
