-- A period's page in time order (issue 17, item 8). Its lower bound is
-- the period's start less the longest span of any incident (sinceFor),
-- and the shared UCDP file holds events a year long: with one such
-- incident stored, the first page of any month read a year of incidents
-- in order and looked up each one's end, to drop those that ended before
-- the month (1.3 s for 50 at a million in sqlite3, 25 s in PostgreSQL).
-- With the end and the merge in the index that gives the order, both
-- conditions are tested on the index entries and only the incidents of
-- the page are read: 0.03 s and 0.13 s. PostgreSQL then also reads a
-- month newest first in order instead of sorting a day's incidents.
DROP INDEX incidents_start;
CREATE INDEX incidents_start ON incidents (occurred_start, id, occurred_end, merged_into);
