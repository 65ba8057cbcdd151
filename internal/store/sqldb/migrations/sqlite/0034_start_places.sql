-- A page of a place read in the listing's order (Store.inOrder: a
-- governorate, over store.CountCap incidents) tested each incident's
-- place on its row: a party's liaison, who sees one incident in eight or
-- so, read some 2,000 rows of incidents for a page of a governorate at a
-- million (120-150 ms alone on SQLite). incidents_start now holds the
-- place after its other columns, so that the place is tested on the
-- index entries, as the state is (migration 0031), and only the incidents
-- that pass are read. PostgreSQL tests a filter on fetched rows only,
-- whatever its index holds, and plans its own way: not changed there.
DROP INDEX incidents_start;
CREATE INDEX incidents_start ON incidents (occurred_start, id, occurred_end, merged_into, state, admin3, area);
