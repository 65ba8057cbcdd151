-- log_advance moves the log's size from expected to size, or fails as a
-- serialization failure (retried) when another writer has moved it: a
-- transaction that computed its log hashes for the size it expected
-- sends them with this and its COMMIT in one round trip, and must not
-- commit them over another writer's entries.
CREATE FUNCTION log_advance(expected BIGINT, size BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE log_state SET size = log_advance.size WHERE id = 1 AND log_state.size = expected;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the log is no longer of size %', expected USING ERRCODE = '40001';
    END IF;
END
$$;
