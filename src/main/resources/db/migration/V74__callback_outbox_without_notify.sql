-- The callback outbox trigger no longer notifies. Every statement that makes a job terminal
-- appends its events and notifies spool_events for their space in the same transaction
-- (JobSql.appendEvents), and that wakes the dispatchers already; the trigger's own bare
-- notification was a second one per job, which the realtime feed read as "any space" and fetched
-- for every watched space. One definition for both modes: on Citus the trigger runs in a worker's
-- shard, where a NOTIFY reaches no listener and forbids two-phase commit.
CREATE OR REPLACE FUNCTION spool_callback_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO callback_deliveries (id, job_id, space_id, url, headers, body)
    VALUES (spool_ulid(), NEW.id, NEW.space_id, NEW.callback_url, NEW.callback_headers,
            '{"jobId":' || to_json(NEW.id)::text
            || ',"spaceId":' || to_json(NEW.space_id)::text
            || ',"name":' || to_json(NEW.name)::text
            || ',"status":' || to_json(NEW.status)::text
            || ',"attemptNumber":' || NEW.attempt_number
            || ',"result":' || coalesce(NEW.result::text, 'null')
            || ',"timestamp":' || to_json(spool_ts(coalesce(NEW.completed_at, now())))::text
            || '}');
    RETURN NULL;
END $$;
