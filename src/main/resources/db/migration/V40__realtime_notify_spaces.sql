-- Realtime (issue 6): let listeners decide from the notification alone whether a committed
-- transaction concerns them, and let them learn its effect on per-status counts.

-- 1. spool_events payload becomes "<txid>:<spaceId>[,<spaceId>...]" — the spaces whose jobs
--    got events in this statement — or "<txid>:*" when the list would not fit comfortably under
--    NOTIFY's 8000-byte limit. A transaction whose statements touch different spaces sends one
--    notification per distinct payload (identical ones still collapse); listeners fetch a
--    transaction's events once, at its first notification, after commit.
CREATE OR REPLACE FUNCTION spool_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE spaces text;
BEGIN
    SELECT string_agg(space_id, ',' ORDER BY space_id) INTO spaces
      FROM (SELECT DISTINCT space_id FROM new_rows) s;
    IF spaces IS NULL THEN
        RETURN NULL;
    END IF;
    IF octet_length(spaces) > 7000 THEN
        spaces := '*';
    END IF;
    PERFORM pg_notify('spool_events', txid_current()::text || ':' || spaces);
    RETURN NULL;
END $$;

DROP TRIGGER job_events_notify ON job_events;
CREATE TRIGGER job_events_notify AFTER INSERT ON job_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_notify_events();

-- 2. Count deltas remember their transaction and age, so a space stream can apply exactly the
--    deltas of the transaction it is publishing (no count(*) per event). The roll-up leaves
--    deltas younger than JobCounts.DELTA_HORIZON alone so they are still there when fetched.
ALTER TABLE job_count_deltas
    ADD COLUMN tx         bigint      NOT NULL DEFAULT txid_current(),
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX job_count_deltas_tx ON job_count_deltas (tx);
