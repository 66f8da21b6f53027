-- Queue engine (issue 3): the retry delay rule, in SQL so that a worker's fail and the
-- execution-timeout rescuer compute it the same way inside their one statement.
-- Mirrors dev.spool.worker.Backoff (unit-tested there; an integration test checks they agree).

-- The wait before retrying after failed attempt k (0-based) with backoffSeconds n:
-- n * 2^k seconds, capped at one hour, times a jitter factor in [0.9, 1.1], never over one hour.
-- n = 0 means "re-queue at once" (emit.run behaviour).
CREATE FUNCTION spool_retry_delay(backoff_seconds integer, failed_attempt integer, jitter float8)
    RETURNS interval LANGUAGE sql IMMUTABLE AS $$
    SELECT make_interval(secs => CASE WHEN backoff_seconds <= 0 THEN 0 ELSE
        least(3600.0, least(3600.0, backoff_seconds * power(2.0, failed_attempt)) * jitter) END)
$$;
