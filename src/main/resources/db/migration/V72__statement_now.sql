-- The statement's now (common/DbNow): the bound test instant, else the transaction's now(). A
-- function rather than the bare coalesce(:now, now()) because Citus (SPOOL_DISTRIBUTED=citus,
-- docs/scaling.md) refuses a non-IMMUTABLE function inside COALESCE or CASE of a write, while it
-- evaluates a STABLE call without column references on the coordinator, as it does now().
-- PL/pgSQL, not SQL: PostgreSQL would inline an SQL function back into the COALESCE before Citus
-- looks at the statement. A STABLE call with a constant argument is still an index condition.
CREATE FUNCTION spool_now(t timestamptz) RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce(t, now());
END
$$;
