-- jobs_space_status_newest holds the jobs at rest only. A job passes through delivered and
-- running on every attempt, and each of those status changes is a non-HOT update that took an
-- entry in this index: two of the eighteen index entries a drained job wrote (bench/wal/run.sh).
-- Listing by an in-flight status reads jobs_in_flight_deadline instead, which holds only the
-- jobs the workers hold right now (JobQueries.byStatuses, docs/engine.md "Indexes").
-- jobs_space_name_newest stays whole: it serves listing by name, the name-prefix skip scan, and
-- the cascade from a deleted space (space_id = $1 with no status to match a partial index).
DROP INDEX jobs_space_status_newest;
CREATE INDEX jobs_space_status_newest ON jobs (space_id, status, id DESC)
    WHERE status IN ('scheduled', 'pending', 'completed', 'dead', 'killed');
