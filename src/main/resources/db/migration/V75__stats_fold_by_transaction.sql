-- The stats roll-up folds each job event once (issue 12). It used to recompute the previous and the
-- current minute from all their events every turn (10 s): every event was read 6-15 times, more
-- when the BRIN index on id had unsummarized ranges (always, without autovacuum), and the fold
-- became a tenth to a quarter of PostgreSQL's time under load. Now a turn adds the events of the
-- transactions between its cursor and the job-count watermark (job_count_watermark.tx: every
-- transaction below it has ended and its events are readable, on Citus too) to the minute rows,
-- through job_events_tx, and moves the cursor there in the same transaction.
--
-- The loop starts again from the count watermark of its first turn; an install upgraded from
-- before this migration may count the events of that first minute twice.
DELETE FROM job_stats_cursor;
ALTER TABLE job_stats_cursor DROP COLUMN minute, DROP COLUMN from_id, ADD COLUMN from_tx bigint NOT NULL;

-- No scan reads job_events by id any more.
DROP INDEX job_events_id_brin;

-- Adds two sparse histograms {"bucket": count} bucket by bucket (null is empty).
CREATE FUNCTION spool_hist_add(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE
        (SELECT jsonb_object_agg(k, n)
           FROM (SELECT k, sum(v::bigint) AS n
                   FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b))
                        AS x(k, v)
                  GROUP BY k) s)
    END
$$;
