-- Job logs (docs/api.md §4.3): stored apart from job_events because they are many, append-only and
-- read by range. The primary key (job_id, seq) is the only index: appends for one job land at the
-- right edge of the job's key range, reads are `job_id = ? AND seq > ? ORDER BY seq` range
-- scans, and retention deletes whole jobs through the foreign key.
-- seq is reserved from jobs.log_seq under the job's row lock, so it is gap-free per job.
CREATE TABLE job_logs (
    job_id         text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq            bigint      NOT NULL CHECK (seq > 0),
    -- 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 fatal: a number so "minimum level" is a range
    level          smallint    NOT NULL CHECK (level BETWEEN 0 AND 5),
    message        text        NOT NULL,
    data           json,
    -- the record's own timestamp, or the time it was received when the record had none
    logged_at      timestamptz NOT NULL,
    attempt_number integer     NOT NULL,
    PRIMARY KEY (job_id, seq)
);
-- Rows are never updated: no free space needs to be left in pages, and vacuum should visit the
-- table for its visibility map after inserts, not only after deletes.
ALTER TABLE job_logs SET (fillfactor = 100, autovacuum_vacuum_insert_scale_factor = 0.05);
