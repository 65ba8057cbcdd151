-- The incidents longer than six days, by end: as the SQLite migration of
-- the same number, which says why.
CREATE INDEX incidents_long ON incidents (occurred_end, occurred_start) WHERE incident_span_days(occurred_start, occurred_end) > 6;
