package dev.spool.support;

import dev.spool.common.Ids;
import dev.spool.job.JobStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way for a test to put a job in a state without driving it there (River's {@code
 * testfactory.Job(…, &JobOpts{State, AttemptedAt…})}): {@code jobs.in(space).status(RUNNING)
 * .startedAt(t).insert()} writes the row as the engine would have left it — timestamps, delivery,
 * deadline, result — with the events of the way there (created, delivered, acked, retried for each
 * earlier attempt, then the last change), so the per-status counts, which are derived from the
 * events' {@code from_status}/{@code to_status}, agree with the table. A terminal job is inserted
 * in the state before and then updated to it in the same transaction, so the schema's triggers
 * write its callback outbox row and space notifications exactly as for a real transition. The
 * statements notify {@code spool_events} (and {@code spool_pending} for pending jobs) like every
 * write path.
 *
 * <p>To move a job that exists through the API instead, use {@link WorkerCalls}.
 */
public final class JobFactory {

  private static final String INSERT =
      """
      WITH rows AS (
          SELECT r.* FROM json_to_recordset(CAST(:jobs AS json)) AS r(
              id text, space_id text, name text, payload text, status text, previous_status text,
              max_retries int, attempt_number int, timeout_seconds int, backoff_seconds int,
              available_at timestamptz, scheduled_for timestamptz, callback_url text,
              callback_headers text, progress text, last_error text,
              delivery_id text, deadline_at timestamptz, delivered_at timestamptz,
              started_at timestamptz, created_at timestamptz, updated_at timestamptz)
      ), inserted AS (
          INSERT INTO jobs (id, space_id, name, payload, status, previous_status, max_retries,
                            attempt_number, timeout_seconds, backoff_seconds, available_at,
                            scheduled_for, callback_url, callback_headers, progress, result,
                            last_error, delivery_id, deadline_at, delivered_at, started_at,
                            created_at, updated_at)
          SELECT id, space_id, name, CAST(payload AS json), status, previous_status, max_retries,
                 attempt_number, timeout_seconds, backoff_seconds, available_at, scheduled_for,
                 callback_url, CAST(callback_headers AS json), CAST(progress AS jsonb), NULL,
                 last_error, delivery_id,
                 deadline_at, delivered_at, started_at, created_at, updated_at
            FROM rows ORDER BY id
          RETURNING space_id, status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, created_at,
                                  from_status, to_status)
          SELECT job_id, space_id, type, CAST(data AS json), attempt_number, created_at,
                 from_status, to_status
            FROM json_to_recordset(CAST(:events AS json)) AS e(
                     ord int, job_id text, space_id text, type text, data text,
                     attempt_number int, created_at timestamptz, from_status text,
                     to_status text)
           ORDER BY ord
          RETURNING space_id
      )
      SELECT (SELECT spool_notify_events(array_agg(space_id)) FROM ev)
             + (SELECT spool_notify_pending(array_agg(space_id) FILTER (WHERE status = 'pending'))
                  FROM inserted)
      """;

  /**
   * The last change of a terminal job, made by an UPDATE so the triggers on status fire. Keyed by
   * space like every statement of the product (on Citus it runs on the one worker that holds it).
   */
  private static final String FINISH =
      """
      UPDATE jobs j SET status = f.status, previous_status = j.status,
             result = CAST(f.result AS json),
             last_error = f.last_error, completed_at = f.completed_at, deadline_at = NULL,
             updated_at = f.completed_at
        FROM json_to_recordset(CAST(:jobs AS json))
             AS f(id text, status text, result text, last_error text, completed_at timestamptz)
       WHERE j.space_id = :space AND j.id = f.id
      """;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;

  public JobFactory(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
    this.jdbc = jdbc;
    this.transactions = new TransactionTemplate(transactionManager);
  }

  /** A factory on an application's database (for tests that start contexts of their own). */
  public static JobFactory of(ApplicationContext context) {
    return new JobFactory(
        context.getBean(JdbcClient.class), context.getBean(PlatformTransactionManager.class));
  }

  public Job in(TestApi.TestSpace space) {
    return in(space.id());
  }

  /** A pending job named {@code job} in the space, to shape before {@link Job#insert()}. */
  public Job in(String spaceId) {
    return new Job(spaceId);
  }

  /** One job's options; every one is optional. Timestamps default to the database's now. */
  public final class Job {
    private final String spaceId;
    private String name = "job";
    private JobStatus status = JobStatus.PENDING;
    private int attempt;
    private Integer maxRetries;
    private int timeoutSeconds = 300;
    private int backoffSeconds;
    private Instant createdAt;
    private Instant availableAt;
    private Instant deliveredAt;
    private Instant startedAt;
    private Instant deadlineAt;
    private Instant finishedAt;
    private String payload;
    private String result;
    private String error;
    private String reason;
    private String progress;
    private String callbackUrl;
    private String callbackHeaders;

    private Job(String spaceId) {
      this.spaceId = spaceId;
    }

    public Job name(String name) {
      this.name = name;
      return this;
    }

    public Job status(JobStatus status) {
      this.status = status;
      return this;
    }

    /** The attempt number (0-based); earlier attempts appear as retried in the events. */
    public Job attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    /** Defaults to 3, or to the attempt number when that is higher. */
    public Job maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Job timeoutSeconds(int seconds) {
      this.timeoutSeconds = seconds;
      return this;
    }

    public Job backoffSeconds(int seconds) {
      this.backoffSeconds = seconds;
      return this;
    }

    public Job createdAt(Instant at) {
      this.createdAt = at;
      return this;
    }

    /**
     * When the job is due: a scheduled job's {@code scheduledFor} (default an hour from now), a
     * pending job's creation time otherwise.
     */
    public Job availableAt(Instant at) {
      this.availableAt = at;
      return this;
    }

    public Job deliveredAt(Instant at) {
      this.deliveredAt = at;
      return this;
    }

    /** When the current attempt was acked (running and what follows it). */
    public Job startedAt(Instant at) {
      this.startedAt = at;
      return this;
    }

    /** A delivered or running job's deadline; defaults to its delivery or start plus timeout. */
    public Job deadlineAt(Instant at) {
      this.deadlineAt = at;
      return this;
    }

    /** A terminal job's {@code completedAt}. */
    public Job finishedAt(Instant at) {
      this.finishedAt = at;
      return this;
    }

    public Job payload(String json) {
      this.payload = json;
      return this;
    }

    /** A completed job's result, as JSON text stored byte for byte. */
    public Job result(String json) {
      this.result = json;
      return this;
    }

    /** A dead job's error (its result {@code {"error": …}} and {@code lastError}). */
    public Job error(String text) {
      this.error = text;
      return this;
    }

    /** A killed job's reason (default {@code killed}, as the kill endpoint's). */
    public Job reason(String text) {
      this.reason = text;
      return this;
    }

    /** The progress a running (or later) job reported, appended as a {@code progress} event. */
    public Job progress(String json) {
      this.progress = json;
      return this;
    }

    public Job callback(String url) {
      return callback(url, null);
    }

    /** A callback URL and its headers (a JSON object, or null). */
    public Job callback(String url, String headersJson) {
      this.callbackUrl = url;
      this.callbackHeaders = headersJson;
      return this;
    }

    private JobRows.Opts opts() {
      return new JobRows.Opts(
          spaceId,
          name,
          status,
          attempt,
          maxRetries,
          timeoutSeconds,
          backoffSeconds,
          createdAt,
          availableAt,
          deliveredAt,
          startedAt,
          deadlineAt,
          finishedAt,
          payload,
          result,
          error,
          reason,
          progress,
          callbackUrl,
          callbackHeaders);
    }

    /** Inserts the job; returns its id. */
    public String insert() {
      return insert(1).get(0);
    }

    /** Inserts {@code n} such jobs in one transaction; returns their ids, oldest first. */
    public List<String> insert(int n) {
      return transactions.execute(
          tx -> {
            Instant now = jdbc.sql("SELECT now()").query(OffsetDateTime.class).single().toInstant();
            List<Map<String, Object>> rows = new ArrayList<>();
            List<Map<String, Object>> events = new ArrayList<>();
            List<Map<String, Object>> finishes = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              String id = Ids.next();
              ids.add(id);
              JobRows.plan(opts(), id, now, rows, events, finishes);
            }
            jdbc.sql(INSERT)
                .param("jobs", TestApi.JSON.writeValueAsString(rows))
                .param("events", TestApi.JSON.writeValueAsString(events))
                .query(Integer.class)
                .single();
            if (!finishes.isEmpty()) {
              jdbc.sql(FINISH)
                  .param("space", spaceId)
                  .param("jobs", TestApi.JSON.writeValueAsString(finishes))
                  .update();
            }
            return ids;
          });
    }
  }
}
