-- Who may revise a report: the user who submitted it ("user:NAME"), the
-- server's machine client ("api"), the public web form ("public") or an
-- operator's import ("import"). Reports stored before this migration
-- came from imports, except those of the web form.
ALTER TABLE reports ADD COLUMN owner TEXT NOT NULL DEFAULT 'import';
UPDATE reports SET owner = 'public' WHERE source LIKE 'web-%';
-- The report's name in the public log: opaque, so that the log reveals
-- neither a withheld source id nor anything written into one. Reports
-- logged before this migration keep the key they were logged under.
ALTER TABLE reports ADD COLUMN log_key TEXT NOT NULL DEFAULT '';
UPDATE reports SET log_key = source || '/' || source_id;
-- The incident a report was first placed in, and why it joined it: both
-- are in the report's logged digest (0 for reports logged before), so
-- that where a report stands can be replayed from the log: its placement
-- and the merges and splits that moved it since.
ALTER TABLE reports ADD COLUMN placed_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN placed_why TEXT NOT NULL DEFAULT '';
