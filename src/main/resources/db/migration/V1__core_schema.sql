-- Spool core schema: spaces, API keys, jobs, job events and per-status counts.
-- Identifiers are ULIDs stored as text with the "C" collation so that byte order = time order.

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
-- Listing: newest first, optionally by status or name.
CREATE INDEX jobs_space_newest ON jobs (space_id, id DESC);
CREATE INDEX jobs_space_status_newest ON jobs (space_id, status, id DESC);
CREATE INDEX jobs_space_name_newest ON jobs (space_id, name, id DESC);

CREATE TABLE job_events (
    id             bigserial PRIMARY KEY,
    job_id         text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    space_id       text COLLATE "C" NOT NULL,
    type           text        NOT NULL CHECK (char_length(type) BETWEEN 1 AND 100),
    data           json,
    attempt_number integer     NOT NULL,
    -- the writing transaction, so a listener told "transaction T committed" can fetch its events
    tx             bigint      NOT NULL DEFAULT txid_current(),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_events_job ON job_events (job_id, id);
CREATE INDEX job_events_tx ON job_events (tx);

-- Every committed transaction that appended events sends one notification carrying its id.
-- NOTIFY is transactional: it is delivered only after commit, in commit order, and identical
-- payloads within one transaction collapse into one.
CREATE FUNCTION spool_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('spool_events', txid_current()::text);
    RETURN NULL;
END $$;
CREATE TRIGGER job_events_notify AFTER INSERT ON job_events
    FOR EACH STATEMENT EXECUTE FUNCTION spool_notify_events();

-- Jobs that became pending wake long polls on every instance: one notification per space per
-- committed transaction.
CREATE FUNCTION spool_notify_pending_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    FOR s IN SELECT DISTINCT space_id FROM new_rows WHERE status = 'pending' LOOP
        PERFORM pg_notify('spool_pending', s);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify_pending_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_notify_pending_insert();

CREATE FUNCTION spool_notify_pending_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    FOR s IN SELECT DISTINCT n.space_id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.status = 'pending' AND o.status <> 'pending' LOOP
        PERFORM pg_notify('spool_pending', s);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify_pending_update AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_notify_pending_update();

-- Jobs per status per space without count(*): every statement appends its net change to
-- job_count_deltas (no shared row, so concurrent writers never wait on each other), and a
-- background roll-up folds deltas into job_counts. Current counts = job_counts + pending deltas.
CREATE TABLE job_counts (
    space_id text COLLATE "C" NOT NULL,
    status   text   NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (space_id, status)
);
CREATE TABLE job_count_deltas (
    id       bigserial PRIMARY KEY,
    space_id text COLLATE "C" NOT NULL,
    status   text    NOT NULL,
    delta    integer NOT NULL
);
CREATE INDEX job_count_deltas_space ON job_count_deltas (space_id);

CREATE FUNCTION spool_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_deltas (space_id, status, delta)
    SELECT space_id, status, count(*) FROM new_rows GROUP BY space_id, status;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_count_insert();

CREATE FUNCTION spool_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_deltas (space_id, status, delta)
    SELECT space_id, status, sum(d)::integer FROM (
        SELECT o.space_id, o.status, -1 AS d FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE n.status <> o.status
        UNION ALL
        SELECT n.space_id, n.status, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE n.status <> o.status
    ) changes GROUP BY space_id, status HAVING sum(d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_count_update AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_count_update();

CREATE FUNCTION spool_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_deltas (space_id, status, delta)
    SELECT space_id, status, -count(*) FROM old_rows GROUP BY space_id, status;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION spool_count_delete();

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
