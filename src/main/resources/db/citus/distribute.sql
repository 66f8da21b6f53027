-- SPOOL_DISTRIBUTED=citus (issue 17, docs/scaling.md): run by dev.spool.database.CitusSchema after
-- the shared Flyway migrations, on the coordinator, once (it does nothing when jobs is already
-- distributed). Every table of a job is distributed by space_id and co-located with jobs, so all
-- of one space's rows live on one worker and every statement that names the space runs there;
-- spaces and api_keys are reference tables (small, read by every request, copied to every node).
--
-- Keys must contain the distribution column: the primary keys and unique indexes on id alone
-- become (space_id, id), and the foreign keys between job tables follow.

-- Citus creates the shards of a table in one transaction with its DDL; sequential mode lets the
-- foreign keys to the reference tables be created in the same transaction.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
-- The outbox and space-notification triggers on jobs run per shard on the worker and write only
-- rows of the same space, which are co-located on the same node (justified in docs/scaling.md).
SET LOCAL citus.enable_unsafe_triggers TO on;

-- Foreign keys and keys that do not contain space_id.
ALTER TABLE job_logs DROP CONSTRAINT job_logs_job_id_fkey;
ALTER TABLE job_logs DROP CONSTRAINT job_logs_pkey;
ALTER TABLE job_logs ADD PRIMARY KEY (space_id, job_id, seq);
ALTER TABLE callback_attempts DROP CONSTRAINT callback_attempts_delivery_id_fkey;
ALTER TABLE callback_attempts DROP CONSTRAINT callback_attempts_pkey;
ALTER TABLE callback_attempts ADD PRIMARY KEY (space_id, id);
ALTER TABLE callback_deliveries DROP CONSTRAINT callback_deliveries_job_id_fkey;
ALTER TABLE callback_deliveries DROP CONSTRAINT callback_deliveries_pkey;
ALTER TABLE callback_deliveries ADD PRIMARY KEY (space_id, id);
ALTER TABLE space_notifications DROP CONSTRAINT space_notifications_pkey;
ALTER TABLE space_notifications ADD PRIMARY KEY (space_id, id);
ALTER TABLE jobs DROP CONSTRAINT jobs_pkey;
ALTER TABLE jobs ADD PRIMARY KEY (space_id, id);
DROP INDEX jobs_retried_from;
CREATE UNIQUE INDEX jobs_retried_from ON jobs (space_id, retried_from) WHERE retried_from IS NOT NULL;

-- A job's events go with it by a foreign key instead of the statement trigger on jobs (a trigger
-- on a distributed table would run per shard and delete through the distributed table).
DROP TRIGGER jobs_delete_events ON jobs;

-- Space notifications (push, Slack) by row triggers instead of the statement triggers of V1: those
-- read their transition tables, and a query that joins a transition table with a distributed
-- table cannot run in a shard ("could not run distributed query with complex table expressions",
-- a 500 on every create in a space with notifications). Each row trigger reads the space's settings
-- (a reference table, local on every node) and inserts its rows with VALUES, routed by space_id
-- like the callback outbox; what each writes is exactly what V1's statement triggers write.
DROP TRIGGER jobs_space_notify_insert ON jobs;
DROP TRIGGER jobs_space_notify_update ON jobs;

CREATE FUNCTION spool_space_notify_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s spaces%ROWTYPE;
BEGIN
    SELECT * INTO s FROM spaces WHERE id = NEW.space_id;
    IF NOT FOUND OR (s.push_url IS NULL AND s.slack_url IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NEW.status = 'pending' AND s.push_url IS NOT NULL
       AND (coalesce(cardinality(s.push_names), 0) = 0 OR NEW.name = ANY (s.push_names)) THEN
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number)
        VALUES ('push', 'job.pending', NEW.space_id, NEW.id, NEW.name, NEW.attempt_number);
    END IF;
    IF s.slack_url IS NOT NULL AND 'created' = ANY (s.slack_events) THEN
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number)
        VALUES ('slack', 'created', NEW.space_id, NEW.id, NEW.name, NEW.attempt_number);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_space_notify_insert AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION spool_space_notify_insert_row();

CREATE FUNCTION spool_space_notify_update_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s spaces%ROWTYPE;
    detail text;
BEGIN
    SELECT * INTO s FROM spaces WHERE id = NEW.space_id;
    IF NOT FOUND OR (s.push_url IS NULL AND s.slack_url IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NEW.status = 'pending' AND OLD.status <> 'pending' AND s.push_url IS NOT NULL
       AND (coalesce(cardinality(s.push_names), 0) = 0 OR NEW.name = ANY (s.push_names)) THEN
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number)
        VALUES ('push', 'job.pending', NEW.space_id, NEW.id, NEW.name, NEW.attempt_number);
    END IF;
    IF s.slack_url IS NULL THEN
        RETURN NULL;
    END IF;
    IF NEW.status = 'running' AND OLD.status <> 'running' AND 'started' = ANY (s.slack_events) THEN
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number)
        VALUES ('slack', 'started', NEW.space_id, NEW.id, NEW.name, NEW.attempt_number);
    END IF;
    IF NEW.attempt_number > OLD.attempt_number AND 'failed' = ANY (s.slack_events) THEN
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number, detail)
        VALUES ('slack', 'failed', NEW.space_id, NEW.id, NEW.name, NEW.attempt_number,
                NEW.last_error);
    END IF;
    IF NEW.status IN ('completed', 'dead', 'killed') AND OLD.status <> NEW.status
       AND NEW.status = ANY (s.slack_events) THEN
        -- computed apart: Citus routes the INSERT with its values bound, and a CASE over a value
        -- inside VALUES came out as "operator does not exist: text = boolean"
        detail := CASE WHEN NEW.status = 'dead' THEN NEW.last_error
                       WHEN NEW.status = 'killed' THEN NEW.result ->> 'reason' END;
        INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number, detail)
        VALUES ('slack', NEW.status, NEW.space_id, NEW.id, NEW.name, NEW.attempt_number, detail);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_space_notify_update AFTER UPDATE ON jobs
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR NEW.attempt_number > OLD.attempt_number)
    EXECUTE FUNCTION spool_space_notify_update_row();

SELECT create_reference_table('spaces');
SELECT create_reference_table('api_keys');
SELECT create_reference_table('job_count_watermark');
SELECT create_reference_table('job_stats_cursor');
SELECT create_distributed_table('jobs', 'space_id');
SELECT create_distributed_table('job_events', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('job_logs', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('callback_deliveries', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('callback_attempts', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('space_notifications', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('job_counts', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('job_stats', 'space_id', colocate_with => 'jobs');
SELECT create_distributed_table('idempotency_keys', 'space_id', colocate_with => 'jobs');

-- The foreign key from jobs to spaces, which V77 removed on one PostgreSQL (its cascade had no
-- index to use there): here the primary key (space_id, id) serves it, and it takes the key-share
-- lock on the space that Spaces.delete relies on, so the statements that insert jobs do not call
-- spool_lock_spaces on Citus.
ALTER TABLE jobs ADD CONSTRAINT jobs_space_id_fkey
    FOREIGN KEY (space_id) REFERENCES spaces (id) ON DELETE CASCADE;
ALTER TABLE job_events ADD CONSTRAINT job_events_job_fkey
    FOREIGN KEY (space_id, job_id) REFERENCES jobs (space_id, id) ON DELETE CASCADE;
ALTER TABLE job_logs ADD CONSTRAINT job_logs_job_fkey
    FOREIGN KEY (space_id, job_id) REFERENCES jobs (space_id, id) ON DELETE CASCADE;
ALTER TABLE callback_deliveries ADD CONSTRAINT callback_deliveries_job_fkey
    FOREIGN KEY (space_id, job_id) REFERENCES jobs (space_id, id) ON DELETE CASCADE;
ALTER TABLE callback_attempts ADD CONSTRAINT callback_attempts_delivery_fkey
    FOREIGN KEY (space_id, delivery_id) REFERENCES callback_deliveries (space_id, id) ON DELETE CASCADE;

-- The outbox trigger runs in the worker's shard; it does not notify (V74): the dispatchers are
-- woken by the transition's own spool_events notification, which its statement issues on the
-- coordinator.

-- The singleton rows copied into the reference tables stay on disk in the coordinator's local
-- table unless removed.
SELECT truncate_local_data_after_distributing_table('job_count_watermark');
SELECT truncate_local_data_after_distributing_table('job_stats_cursor');
