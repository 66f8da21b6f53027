-- Spool schema, one baseline (issue 12 replaced migrations V1..V40 before anything was deployed).
-- Identifiers are ULIDs stored as text with the "C" collation so that byte order = time order
-- (converting them to uuid is a later step: the wire shows ULID strings either way).
--
-- The write path (docs/engine.md, "Schema"): every change of a job is one statement that updates
-- the row and appends its event, and the same statement issues its own notifications
-- (spool_notify_events, spool_notify_pending below) — no trigger on jobs or job_events writes
-- rows or notifies for the hot transitions, so a distributed PostgreSQL, which cannot NOTIFY from
-- its worker nodes, can run the same statements. Per-status counts are derived from the event
-- rows (from_status/to_status), not from rows of their own.

CREATE TABLE spaces (
    id                          text COLLATE "C" PRIMARY KEY,
    name                        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    public_key                  text        NOT NULL,
    signing_secret              text,
    previous_signing_secret     text,
    previous_secret_expires_at  timestamptz,
    push_url                    text,
    push_headers                jsonb,
    push_names                  text[],
    slack_url                   text,
    slack_events                text[],
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id                    text COLLATE "C" PRIMARY KEY,
    space_id              text COLLATE "C" REFERENCES spaces (id) ON DELETE CASCADE,
    name                  text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    key_hash              text        NOT NULL UNIQUE,  -- hex SHA-256 of the full key; the key itself is never stored
    prefix                text        NOT NULL,         -- first characters, for display only
    scopes                text[]      NOT NULL,
    rate_limit_per_second integer CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second >= 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    revoked_at            timestamptz,
    -- every key but an admin key is bound to one space
    CONSTRAINT api_keys_bound CHECK (space_id IS NOT NULL OR 'admin' = ANY (scopes))
);
CREATE INDEX api_keys_space ON api_keys (space_id, id);

CREATE TABLE jobs (
    id               text COLLATE "C" PRIMARY KEY,
    space_id         text COLLATE "C" NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    name             text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    payload          json,
    status           text        NOT NULL CHECK (status IN
                         ('scheduled', 'pending', 'delivered', 'running', 'completed', 'dead', 'killed')),
    -- the status before the last change, written by the statements that must report it (an
    -- UPDATE's RETURNING shows only new values): the from_status of the change's event
    previous_status  text,
    max_retries      integer     NOT NULL CHECK (max_retries BETWEEN 0 AND 25),
    attempt_number   integer     NOT NULL DEFAULT 0 CHECK (attempt_number BETWEEN 0 AND max_retries),
    timeout_seconds  integer     NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 86400),
    backoff_seconds  integer     NOT NULL DEFAULT 0 CHECK (backoff_seconds BETWEEN 0 AND 3600),
    -- when the job is (or was) due for delivery: scheduledFor, a retry's backoff end, or creation.
    -- The claim query orders by (available_at, id).
    available_at     timestamptz NOT NULL,
    scheduled_for    timestamptz,
    callback_url     text CHECK (char_length(callback_url) <= 2048),
    callback_headers json,
    progress         jsonb,
    result           json,
    last_error       text,
    delivery_id      text,
    -- delivery timeout while delivered, execution timeout while running; null otherwise
    deadline_at      timestamptz,
    log_seq          bigint      NOT NULL DEFAULT 0,
    delivered_at     timestamptz,
    started_at       timestamptz,
    completed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_completed_iff_terminal
        CHECK ((status IN ('completed', 'dead', 'killed')) = (completed_at IS NOT NULL)),
    CONSTRAINT jobs_deadline_iff_in_flight
        CHECK ((status IN ('delivered', 'running')) = (deadline_at IS NOT NULL))
);

-- Every status change is a non-HOT update (status is in index keys and predicates), so each
-- index below that the new row version matches gets an entry on every transition. Partial
-- indexes get entries only from the states they cover.
--
-- Claim: available jobs of a space, oldest first. Scheduled jobs that are due are served too,
-- so both states live in one partial index and the claim is a single range scan.
CREATE INDEX jobs_claimable ON jobs (space_id, available_at, id)
    WHERE status IN ('pending', 'scheduled');
CREATE INDEX jobs_claimable_by_name ON jobs (space_id, name, available_at, id)
    WHERE status IN ('pending', 'scheduled');
-- Promoter: scheduled jobs that fell due.
CREATE INDEX jobs_scheduled_due ON jobs (available_at) WHERE status = 'scheduled';
-- Timeout rescuer: in-flight jobs by deadline.
CREATE INDEX jobs_in_flight_deadline ON jobs (deadline_at) WHERE status IN ('delivered', 'running');
-- Retention: terminal jobs by completion time.
CREATE INDEX jobs_terminal_completed ON jobs (completed_at) WHERE completed_at IS NOT NULL;
-- Listing: newest first, by status or name. There is no (space_id, id) index: it would take an
-- entry on every status change; a listing without filter merges the per-status range scans of
-- jobs_space_status_newest (JobQueries.LIST_NEWEST), which also serves the cascade from spaces.
CREATE INDEX jobs_space_status_newest ON jobs (space_id, status, id DESC);
CREATE INDEX jobs_space_name_newest ON jobs (space_id, name, id DESC);

-- No primary key: nothing looks an event up by id alone (a job's events are read through
-- job_events_job, a transaction's through job_events_tx), so a third index entry per event would
-- buy nothing. id is unique all the same (a sequence) and orders the events.
-- No foreign key to jobs either: every statement that appends events takes the job ids from the
-- job rows it just changed or locked, and the check would lock the job row once more per event
-- (a WAL record each, ~3 per job drained). Events go with their job by the delete trigger below.
CREATE TABLE job_events (
    id             bigserial NOT NULL,
    job_id         text COLLATE "C" NOT NULL,
    space_id       text COLLATE "C" NOT NULL,
    type           text        NOT NULL CHECK (char_length(type) BETWEEN 1 AND 100),
    data           json,
    attempt_number integer     NOT NULL,
    -- the writing transaction, so a listener told "transaction T committed" can fetch its events
    tx             bigint      NOT NULL DEFAULT txid_current(),
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- the status change this event records (both null when the status did not change; from is
    -- null when the job was created): per-status counts are derived from these (job_counts)
    from_status    text,
    to_status      text
);
CREATE INDEX job_events_job ON job_events (job_id, id);
CREATE INDEX job_events_tx ON job_events (tx);

-- What ON DELETE CASCADE did, for the deletes only (retention, a deleted space's jobs): one
-- statement per deleting statement, never on the insert and update path.
CREATE FUNCTION spool_delete_job_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_events e USING gone g WHERE e.job_id = g.id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_delete_events AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION spool_delete_job_events();

-- Notifications, issued by the statements that write (inside their CTE, or the same transaction).
-- NOTIFY is transactional: it is delivered only after commit, in commit order, and identical
-- payloads within one transaction collapse into one.
--
-- spool_events: "<txid>:<spaceId>[,<spaceId>...]" — the spaces whose jobs got events — or
-- "<txid>:*" when the list would not fit comfortably under NOTIFY's 8000-byte limit. Returns the
-- number of notifications sent (0 for no spaces), so that a statement can select it.
CREATE FUNCTION spool_notify_events(space_ids text[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE list text;
BEGIN
    SELECT string_agg(s, ',' ORDER BY s) INTO list
      FROM (SELECT DISTINCT s FROM unnest(space_ids) AS u(s) WHERE s IS NOT NULL) d;
    IF list IS NULL THEN
        RETURN 0;
    END IF;
    IF octet_length(list) > 7000 THEN
        list := '*';
    END IF;
    PERFORM pg_notify('spool_events', txid_current()::text || ':' || list);
    RETURN 1;
END $$;

-- spool_pending: one notification per space whose jobs became pending, to wake long polls on
-- every instance.
CREATE FUNCTION spool_notify_pending(space_ids text[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE s text; n integer := 0;
BEGIN
    FOR s IN SELECT DISTINCT u.s FROM unnest(space_ids) AS u(s) WHERE u.s IS NOT NULL LOOP
        PERFORM pg_notify('spool_pending', s);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- Jobs per status per space without count(*): counts = job_counts (folded totals) + the status
-- changes recorded by events of transactions at or after the watermark (job_count_watermark.tx).
-- The roll-up (JobCounts) folds the events of every transaction older than the oldest running
-- one and moves the watermark, in one statement; nothing is written per transition beyond the
-- event row itself. Retention subtracts the jobs it deletes (only jobs whose events are folded).
CREATE TABLE job_counts (
    space_id text COLLATE "C" NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    status   text   NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (space_id, status)
);
CREATE TABLE job_count_watermark (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    tx  bigint NOT NULL
);
INSERT INTO job_count_watermark (tx) VALUES (0);

-- Idempotent create requests (docs/api.md §4.1 [ext]).
CREATE TABLE idempotency_keys (
    space_id     text COLLATE "C" NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    key          text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash text        NOT NULL,
    response     json        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The API's timestamp format, for JSON built inside SQL (event data): ISO 8601 UTC, ms, Z.
CREATE FUNCTION spool_ts(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The retry delay rule, in SQL so that a worker's fail and the
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
