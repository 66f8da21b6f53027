-- On Citus the job-count roll-up (JobCounts) moves its watermark only to the oldest running
-- transaction it saw at least a second earlier, not to the current one: a transaction that wrote
-- through two workers is committed there (COMMIT PREPARED) just after the coordinator's commit, so
-- for a moment the coordinator's snapshot calls it finished while its events cannot be read yet.
-- next_tx is the xmin a turn saw and next_at when; on plain PostgreSQL both stay unused.
ALTER TABLE job_count_watermark ADD COLUMN next_tx bigint, ADD COLUMN next_at timestamptz;
