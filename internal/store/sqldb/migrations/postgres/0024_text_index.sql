-- Trigram indexes for the text search (SQLite's are its migration 0024):
-- a search matches its text anywhere in an incident's words, which no
-- B-tree answers, so without them a rare word read every incident and
-- every report. pg_trgm's GIN indexes answer LIKE '%text%' on the very
-- expressions below, which Store.search asks first (textMatches) when
-- the planner expects a text to be rare enough (Store.textIndex): what
-- the public may search (the act, the names, an unprotected title), the
-- protected titles apart (so that the public's searches never read them,
-- not even in how long they take), and the reports' descriptions.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so
-- the database's owner may create it. Where it cannot be had, the search
-- reads every incident as before (Store.textIndexes tells), and each
-- start runs this again (pgTextIndexes), so that the indexes are built
-- once the extension is installed.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): text searches will read every incident', SQLERRM;
END
$$;

DO $$
DECLARE
    -- The operator class is named in the extension's schema, which need
    -- not be on the search path (an extension made beforehand elsewhere).
    ops text;
BEGIN
    SELECT format('%I.gin_trgm_ops', n.nspname) INTO ops
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF ops IS NOT NULL THEN
        EXECUTE format($q$CREATE INDEX IF NOT EXISTS incidents_text ON incidents USING gin
            ((lower(act || E'\n' || words || E'\n' || CASE WHEN title_protected THEN '' ELSE title END)) %s)$q$, ops);
        EXECUTE format($q$CREATE INDEX IF NOT EXISTS incidents_protected_text ON incidents USING gin (lower(title) %s) WHERE title_protected$q$, ops);
        EXECUTE format($q$CREATE INDEX IF NOT EXISTS reports_text ON reports USING gin (lower(description) %s)$q$, ops);
        -- The planner's statistics of the indexed expressions, from
        -- which Store.textIndex estimates how many incidents a text
        -- gives (until autovacuum analyzes the tables again).
        ANALYZE incidents;
        ANALYZE reports;
    END IF;
END
$$;
