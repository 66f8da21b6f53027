-- Callbacks (docs/api.md §6): an outbox written by the terminal transition itself, the attempts made
-- from it, and the space notification queue (HTTP push, Slack).
--
-- The rows are written by triggers on jobs, not by the code that performs transitions: whatever
-- path makes a job completed, dead or killed (complete, fail, kill, an execution timeout, an
-- operator's SQL), the delivery is inserted in that same transaction or not at all.

-- A ULID made inside SQL (48-bit millisecond time + 80 random bits, Crockford base 32), for the
-- delivery id that becomes the Standard Webhooks webhook-id.
CREATE FUNCTION spool_ulid() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    alphabet CONSTANT text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    ms   bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    -- 20 hex digits of a v4 UUID that avoid its fixed version and variant nibbles
    h    text   := replace(gen_random_uuid()::text, '-', '');
    bits bit(130) := B'00' || ms::bit(48) || ('x' || substr(h, 1, 12) || substr(h, 18, 8))::bit(80);
    out  text := '';
BEGIN
    FOR i IN 0..25 LOOP
        out := out || substr(alphabet, substring(bits FROM i * 5 + 1 FOR 5)::bit(5)::int + 1, 1);
    END LOOP;
    RETURN out;
END $$;

CREATE TABLE callback_deliveries (
    id              text COLLATE "C" PRIMARY KEY,          -- the webhook-id, stable across retries
    job_id          text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    space_id        text COLLATE "C" NOT NULL,
    url             text        NOT NULL,
    headers         json,
    body            text        NOT NULL,                  -- the exact bytes sent and signed
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- when the next attempt is due; while an attempt is in flight, the end of its lease, so a
    -- delivery whose sender died becomes due again by itself
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    lease_token     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT callback_deliveries_lease_only_pending
        CHECK (state = 'pending' OR (lease_until IS NULL AND lease_token IS NULL))
);
-- The dispatcher's claim: due pending deliveries, oldest due first.
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_deliveries_job ON callback_deliveries (job_id);

-- One row per attempt, for GET /jobs/:id/callbacks (oldest first).
CREATE TABLE callback_attempts (
    id            bigserial PRIMARY KEY,
    delivery_id   text COLLATE "C" NOT NULL REFERENCES callback_deliveries (id) ON DELETE CASCADE,
    job_id        text COLLATE "C" NOT NULL,
    url           text        NOT NULL,
    retry_attempt integer     NOT NULL,
    status_code   integer,
    error         text,
    response_body text,
    will_retry    boolean     NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callback_attempts_job ON callback_attempts (job_id, id);
CREATE INDEX callback_attempts_delivery ON callback_attempts (delivery_id);

-- The outbox row, built from the job row as it becomes terminal. The body is assembled as text so
-- the worker's result is embedded exactly as stored. A row-level trigger with a WHEN clause costs
-- nothing for the updates it does not match (the WHEN is evaluated without calling the function).
CREATE FUNCTION spool_callback_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
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
    -- wake dispatchers on every instance after commit (collapses with the transition's own
    -- event notification: same channel, same payload)
    PERFORM pg_notify('spool_events', txid_current()::text);
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_callback_outbox AFTER UPDATE OF status ON jobs
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          AND NEW.status IN ('completed', 'dead', 'killed')
          AND NEW.callback_url IS NOT NULL)
    EXECUTE FUNCTION spool_callback_outbox();

-- Space notifications (HTTP push, Slack): best effort, so a plain queue the dispatcher deletes
-- from as it takes rows. Only spaces that configured a notification get rows.
CREATE TABLE space_notifications (
    id             bigserial PRIMARY KEY,
    kind           text        NOT NULL CHECK (kind IN ('push', 'slack')),
    event          text        NOT NULL,
    space_id       text COLLATE "C" NOT NULL,
    job_id         text COLLATE "C" NOT NULL,
    name           text        NOT NULL,
    attempt_number integer     NOT NULL,
    detail         text,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spaces_notifying ON spaces (id) WHERE push_url IS NOT NULL OR slack_url IS NOT NULL;

CREATE FUNCTION spool_space_notify_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM spaces WHERE push_url IS NOT NULL OR slack_url IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number)
    SELECT k.kind, k.event, n.space_id, n.id, n.name, n.attempt_number
      FROM new_rows n
      JOIN spaces s ON s.id = n.space_id AND (s.push_url IS NOT NULL OR s.slack_url IS NOT NULL)
     CROSS JOIN LATERAL (VALUES
           ('push', 'job.pending',
            n.status = 'pending' AND s.push_url IS NOT NULL
            AND (coalesce(cardinality(s.push_names), 0) = 0 OR n.name = ANY (s.push_names))),
           ('slack', 'created', s.slack_url IS NOT NULL AND 'created' = ANY (s.slack_events))
       ) AS k(kind, event, wanted)
     WHERE k.wanted
     ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_space_notify_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_space_notify_insert();

-- Slack's "failed" is a failed attempt that will be retried (attempt number went up); a failure
-- with no attempt left is "dead".
CREATE FUNCTION spool_space_notify_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM spaces WHERE push_url IS NOT NULL OR slack_url IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    INSERT INTO space_notifications (kind, event, space_id, job_id, name, attempt_number, detail)
    SELECT k.kind, k.event, n.space_id, n.id, n.name, n.attempt_number, k.detail
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
      JOIN spaces s ON s.id = n.space_id AND (s.push_url IS NOT NULL OR s.slack_url IS NOT NULL)
     CROSS JOIN LATERAL (VALUES
           ('push', 'job.pending',
            n.status = 'pending' AND o.status <> 'pending' AND s.push_url IS NOT NULL
            AND (coalesce(cardinality(s.push_names), 0) = 0 OR n.name = ANY (s.push_names)),
            NULL::text),
           ('slack', 'started',
            n.status = 'running' AND o.status <> 'running' AND 'started' = ANY (s.slack_events),
            NULL),
           ('slack', 'failed',
            n.attempt_number > o.attempt_number AND 'failed' = ANY (s.slack_events),
            n.last_error),
           ('slack', n.status,
            n.status IN ('completed', 'dead', 'killed') AND o.status <> n.status
            AND n.status = ANY (s.slack_events),
            CASE n.status WHEN 'dead' THEN n.last_error
                          WHEN 'killed' THEN n.result ->> 'reason' END)
       ) AS k(kind, event, wanted, detail)
     WHERE k.wanted AND (k.kind = 'push' OR s.slack_url IS NOT NULL)
     ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_space_notify_update AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_space_notify_update();
