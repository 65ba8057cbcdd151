-- See ../sqlite/0013_filter_indexes.sql. text_pattern_ops lets LIKE
-- 'prefix%' use the index whatever the database's collation.
DROP INDEX incidents_admin3;
CREATE INDEX incidents_admin3 ON incidents (admin3 text_pattern_ops);
CREATE INDEX incidents_area ON incidents (area text_pattern_ops) WHERE admin3 = '';
CREATE INDEX incidents_end ON incidents (occurred_end);
CREATE INDEX incidents_state ON incidents (state, occurred_start);
CREATE INDEX incidents_start ON incidents (occurred_start, id);
