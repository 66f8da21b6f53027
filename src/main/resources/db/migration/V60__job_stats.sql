-- Per-space time series (issue 15): one row per space per minute, written by the stats loop
-- (dev.spool.stats.StatsAggregator) from job_events, never by counting jobs. Kept as long as
-- terminal jobs (SPOOL_RETENTION).
CREATE TABLE job_stats (
    space_id  text COLLATE "C" NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    minute    timestamptz NOT NULL,
    created   integer     NOT NULL DEFAULT 0,
    delivered integer     NOT NULL DEFAULT 0,
    completed integer     NOT NULL DEFAULT 0,
    retried   integer     NOT NULL DEFAULT 0,
    dead      integer     NOT NULL DEFAULT 0,
    killed    integer     NOT NULL DEFAULT 0,
    -- scheduled + pending, sampled by the last turn of the loop within the minute; null when no
    -- turn sampled it (readers carry the previous sample forward)
    backlog   bigint,
    -- wait and run times as sparse log-scale histograms {"bucket": count} (bucket b holds
    -- durations in [2^(b/4), 2^((b+1)/4)) ms), so coarser steps merge minutes exactly
    wait_hist jsonb,
    run_hist  jsonb,
    PRIMARY KEY (space_id, minute)
);
CREATE INDEX job_stats_minute ON job_stats (minute);

-- Where the loop resumes: minutes from `minute` on are still recomputed; job_events rows with
-- an id up to `from_id` can no longer fall into them (a scan starts after it).
CREATE TABLE job_stats_cursor (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    minute   timestamptz NOT NULL,
    from_id  bigint      NOT NULL
);

-- POST /jobs/:id/retry: the job this one re-runs. Unique, so a dead or killed job is retried at
-- most once even when two requests race; partial, so ordinary jobs add no index entry.
ALTER TABLE jobs ADD COLUMN retried_from text COLLATE "C";
CREATE UNIQUE INDEX jobs_retried_from ON jobs (retried_from) WHERE retried_from IS NOT NULL;

-- The loop reads the events after its cursor (`id > from_id`). job_events has no btree on id
-- (each index costs an entry per event on the hot path); a BRIN index on the ever-growing id
-- costs next to nothing per insert and lets that scan skip every block range below the cursor
-- (block ranges not yet summarized, the newest ones, are always read: that is the tail wanted).
CREATE INDEX job_events_id_brin ON job_events USING brin (id) WITH (pages_per_range = 16);
