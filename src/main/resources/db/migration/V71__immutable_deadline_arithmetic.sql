-- Issue 17: "a time plus some seconds" as an IMMUTABLE function. timestamptz + interval is only
-- STABLE (an interval with days or months depends on the time zone); with seconds alone it does
-- not. Citus refuses STABLE functions over column values in an UPDATE's SET (it evaluates them on
-- the coordinator), so the statements write spool_after(now(), j.timeout_seconds): now() alone is
-- evaluated on the coordinator, the rest in the shard. Same result on plain PostgreSQL.
CREATE FUNCTION spool_after(t timestamptz, secs double precision) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t + secs * interval '1 second'
$$;
