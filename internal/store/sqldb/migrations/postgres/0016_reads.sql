-- See ../sqlite/0016_reads.sql.
ALTER TABLE rulings ADD COLUMN occurred_start TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN occurred_start TEXT NOT NULL DEFAULT '';
ALTER TABLE ruling_parties ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
ALTER TABLE rulings ADD COLUMN parties TEXT NOT NULL DEFAULT '[]';
ALTER TABLE rulings ADD COLUMN clauses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE rulings ADD COLUMN guarantors TEXT NOT NULL DEFAULT '[]';
UPDATE rulings r SET
    occurred_start = i.occurred_start,
    parties = coalesce(CAST(r.doc AS jsonb) -> 'parties', CAST('[]' AS jsonb))::text,
    clauses = coalesce(CAST(r.doc AS jsonb) -> 'clauses', CAST('[]' AS jsonb))::text,
    guarantors = coalesce(CAST(r.doc AS jsonb) -> 'guarantors', CAST('[]' AS jsonb))::text
FROM incidents i WHERE i.id = r.incident_id;
ALTER TABLE rulings ADD COLUMN merged_into BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ruling_parties ADD COLUMN merged_into BIGINT NOT NULL DEFAULT 0;
UPDATE rulings r SET merged_into = i.merged_into FROM incidents i WHERE i.id = r.incident_id AND i.merged_into <> 0;
UPDATE ruling_parties p SET occurred_start = r.occurred_start, verdict = r.verdict, merged_into = r.merged_into FROM rulings r WHERE r.incident_id = p.incident_id AND r.agreement_id = p.agreement_id;
DROP INDEX rulings_verdict;
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id) INCLUDE (merged_into, version, outcome, parties, clauses, guarantors);
DROP INDEX ruling_parties_party;
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id) INCLUDE (verdict, merged_into);
CREATE FUNCTION incidents_start_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET occurred_start = NEW.occurred_start WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET occurred_start = NEW.occurred_start WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_start_copies AFTER UPDATE OF occurred_start ON incidents
    FOR EACH ROW WHEN (NEW.occurred_start IS DISTINCT FROM OLD.occurred_start)
    EXECUTE FUNCTION incidents_start_copies();
CREATE FUNCTION incidents_merged_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rulings SET merged_into = NEW.merged_into WHERE incident_id = NEW.id;
    UPDATE ruling_parties SET merged_into = NEW.merged_into WHERE incident_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_merged_copies AFTER UPDATE OF merged_into ON incidents
    FOR EACH ROW WHEN (NEW.merged_into IS DISTINCT FROM OLD.merged_into)
    EXECUTE FUNCTION incidents_merged_copies();
-- An incident's span in days, for incidents_span. The times are written
-- at one fixed width in UTC (ts), which the cast reads the same whatever
-- the session's settings: the function is immutable for every value the
-- store writes, as an index needs.
CREATE FUNCTION incident_span_days(s text, e text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s = '' OR e = '' THEN NULL
        ELSE extract(epoch FROM CAST(e AS timestamp) - CAST(s AS timestamp)) / 86400 END
$$;
CREATE INDEX incidents_span ON incidents (incident_span_days(occurred_start, occurred_end));
DROP INDEX incidents_state;
CREATE INDEX incidents_state ON incidents (state, occurred_start, id) INCLUDE (merged_into);
DROP INDEX incidents_time;
CREATE INDEX incidents_time ON incidents (occurred_start, occurred_end) INCLUDE (merged_into);
DROP INDEX incidents_admin3;
CREATE INDEX incidents_admin3 ON incidents (admin3 text_pattern_ops) INCLUDE (merged_into);
DROP INDEX incidents_area;
CREATE INDEX incidents_area ON incidents (area text_pattern_ops) INCLUDE (merged_into) WHERE admin3 = '';
CREATE INDEX incidents_cover ON incidents (id) INCLUDE (merged_into, state, occurred_end, admin3, area, cell);
