package dev.spool.job;

import static dev.spool.job.JobSql.NOW;

/**
 * A worker's state changes after delivery — ack, complete, fail, kill, single and batched — each
 * one guarded UPDATE plus its events in one statement. The WHERE states the source states of {@link
 * JobStatus}'s table, the caller's space and — when the worker sent {@code x-delivery-id} — its
 * delivery; an empty result means the precondition failed and {@link JobGuard} explains why. Each
 * returns the changed jobs as {@link JobRepository#JOB_COLUMNS}.
 */
public final class TransitionSql {

  private TransitionSql() {}

  /** The caller may touch the job (space-bound key) and holds its current delivery (if sent). */
  private static final String CALLER_GUARD =
      """
      AND (CAST(:space AS text) IS NULL OR space_id = :space)
      AND (CAST(:delivery AS text) IS NULL OR delivery_id = :delivery)
      """;

  private static final String RETURN_JOBS = "SELECT " + JobRepository.JOB_COLUMNS + " FROM u, note";

  /**
   * Acks and completes, of one request or of a batch of concurrent ones, in one autocommit
   * statement: an ack moves a delivered job to running; a complete moves a delivered (an implicit
   * ack: sets {@code startedAt}) or running job to completed with its result. Each request is a row
   * of {@code :ops} ({@code kind, id, space, delivery, result}) with the caller's guard; job ids
   * are distinct within a batch, so each returned row answers exactly one request.
   *
   * <p>{@code commit_mode} lets the commit skip its WAL flush when {@code :deferFlush} (see {@code
   * DurableCommits}); it is joined into {@code ops} so that it is evaluated.
   *
   * <p>The rows are found by {@code id = ANY (ids)} and the source states come from a sub-select,
   * not constants: with constants the planner may prove the partial in-flight index usable and AND
   * it with the primary key in a bitmap scan, reading one index entry per ack ever made (dead ones
   * included, until vacuum) instead of one primary-key entry per request — seen in the lifecycle
   * benchmark as 5,000+ entries read for a batch of five.
   */
  public static final String ACK_OR_COMPLETE =
      """
      WITH %4$s, ops AS MATERIALIZED (
          SELECT o.*, %1$s AS at FROM commit_mode, json_to_recordset(CAST(:ops AS json))
                 AS o(kind text, id text, space text, delivery text, result text)
      ), u AS (
          UPDATE jobs j
             SET status = CASE WHEN o.kind = 'ack' THEN 'running' ELSE 'completed' END,
                 previous_status = j.status,
                 result = CASE WHEN o.kind = 'ack' THEN j.result ELSE CAST(o.result AS json) END,
                 started_at = CASE WHEN j.status = 'delivered' THEN o.at ELSE j.started_at END,
                 deadline_at = CASE WHEN o.kind = 'ack'
                                    THEN spool_after(o.at, j.timeout_seconds) END,
                 completed_at = CASE WHEN o.kind = 'ack' THEN NULL ELSE o.at END,
                 updated_at = o.at
            FROM ops o
           WHERE j.id = ANY (ARRAY(SELECT id FROM ops)) AND j.id = o.id
             AND j.status = ANY (ARRAY(VALUES ('delivered'), ('running')))
             AND (o.kind = 'complete' OR j.status = 'delivered')
             AND (o.space IS NULL OR j.space_id = o.space)
             AND (o.delivery IS NULL OR j.delivery_id = o.delivery)
          RETURNING j.*, o.kind
      ), %2$s
      %3$s
      """
          .formatted(
              NOW,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, CASE WHEN kind = 'ack' THEN 'acked' ELSE 'completed' END,
                             CASE WHEN kind = 'ack' THEN NULL
                                  ELSE json_build_object('result', result) END,
                             attempt_number, previous_status, status
                        FROM u ORDER BY id
                  """),
              RETURN_JOBS,
              JobSql.COMMIT_MODE);

  /**
   * On Citus ({@code SPOOL_DISTRIBUTED=citus}): {@link #ACK_OR_COMPLETE} for the requests of one
   * space, the space a constant, so the statement runs on the one worker that holds it (a statement
   * over every shard would also take Citus's shard locks and serialize all acks and completes).
   */
  public static final String ACK_OR_COMPLETE_IN_SPACE =
      ACK_OR_COMPLETE.replace(
          "AND (o.space IS NULL OR j.space_id = o.space)", "AND j.space_id = :space");

  /** Kills the job (:id, :reason) if it is still active, under the caller's guard. */
  public static final String KILL_IF_ACTIVE =
      """
      WITH u AS (
          UPDATE jobs SET status = 'killed', previous_status = status,
                 result = json_build_object('reason', :reason),
                 completed_at = %1$s, deadline_at = NULL, updated_at = %1$s
           WHERE id = :id AND status IN ('scheduled', 'pending', 'delivered', 'running') %2$s
          RETURNING *
      ), %3$s
      %4$s
      """
          .formatted(
              NOW,
              CALLER_GUARD,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, 'killed', json_build_object('reason', :reason),
                             attempt_number, previous_status, 'killed'
                        FROM u
                  """),
              RETURN_JOBS);

  /** A worker's fail (:id, :error, :lastError, :retry): its one job, delivered or running. */
  public static final String FAIL_IF_IN_FLIGHT =
      failedAttempt(
          """
              SELECT ctid, id, space_id, status, attempt_number, max_retries, backoff_seconds,
                     CAST(:retry AS boolean) AS retry, CAST(:error AS json) AS error,
                     CAST(:lastError AS text) AS last_error, false AS timed_out
                FROM jobs
               WHERE id = :id AND status IN ('delivered', 'running') %s
                 FOR UPDATE
          """
              .formatted(CALLER_GUARD),
          RETURN_JOBS);

  /**
   * Fails many jobs of {@code :space}, each under its own delivery fence ({@code :ops}: {@code id,
   * delivery, error, lastError, retry}). The rows are locked in id order, so two batches that share
   * jobs queue instead of deadlocking.
   */
  public static final String FAIL_MANY =
      failedAttempt(
          """
              SELECT j.ctid, j.id, j.space_id, j.status, j.attempt_number, j.max_retries,
                     j.backoff_seconds, o.retry, CAST(o.error AS json) AS error, o."lastError" AS last_error,
                     false AS timed_out
                FROM (SELECT ctid, * FROM jobs
                       WHERE space_id = :space
                         AND id = ANY (ARRAY(SELECT x.id FROM json_to_recordset(CAST(:ops AS json))
                                                              AS x(id text)))
                         AND status IN ('delivered', 'running')
                       ORDER BY id
                         FOR UPDATE) j
                JOIN json_to_recordset(CAST(:ops AS json))
                     AS o(id text, delivery text, error text, "lastError" text, retry boolean)
                  ON o.id = j.id
               WHERE o.delivery IS NULL OR j.delivery_id = o.delivery
          """,
          RETURN_JOBS);

  /**
   * The one rule for a failed attempt (docs/api.md §3, §5), shared by a worker's fail and the
   * execution-timeout rescuer: while attempts are left (and the caller did not say {@code retry:
   * false}) the job is retried — {@code attemptNumber + 1}, {@code pending} at once or {@code
   * scheduled} until its backoff ends, event {@code retried} — otherwise it is {@code dead} with
   * result {@code {"error": ...}} and event {@code dead}. {@code lastError} is kept either way.
   *
   * <p>{@code target} is a CTE body that selects and locks ({@code FOR UPDATE}) the rows it may
   * fail, stating its precondition, with the columns {@code ctid, id, space_id, status,
   * attempt_number, max_retries, backoff_seconds, retry, error, last_error, timed_out}; the update
   * finds the locked rows with {@link JobSql#lockedRows}. Everything is computed from that locked
   * row version — never from a second read of {@code jobs} in the statement's snapshot, which could
   * be older than the row the lock waited for. {@code finalSelect} reads the updated rows from
   * {@code u} joined with {@code note} (so that the notifications are issued).
   */
  static String failedAttempt(String target, String finalSelect) {
    return """
        WITH target AS (
        %1$s
        ), judged AS (
            SELECT t.*, (t.retry AND t.attempt_number < t.max_retries) AS retrying,
                   %2$s + spool_retry_delay(t.backoff_seconds, t.attempt_number,
                                             0.9 + 0.2 * random()) AS retry_at,
                   %2$s AS at
              FROM target t
        ), plan AS (
            -- the event data built here, not in the CASEs below: Citus (SPOOL_DISTRIBUTED=citus)
            -- refuses non-immutable functions such as json_build_object or now() inside CASE in
            -- a write
            SELECT j.*, json_build_object('error', j.error) AS error_data,
                   json_build_object('error', j.error,
                                     'retryAt', spool_ts(greatest(j.retry_at, j.at)),
                                     'nextAttemptNumber', j.attempt_number + 1) AS retried_data
              FROM judged j
        ), u AS (
            UPDATE jobs j SET
                status = CASE WHEN NOT p.retrying THEN 'dead'
                              WHEN p.retry_at > p.at THEN 'scheduled' ELSE 'pending' END,
                attempt_number = j.attempt_number + CASE WHEN p.retrying THEN 1 ELSE 0 END,
                available_at = CASE WHEN p.retrying AND p.retry_at > p.at THEN p.retry_at
                                    ELSE j.available_at END,
                last_error = p.last_error,
                result = CASE WHEN p.retrying THEN NULL ELSE p.error_data END,
                completed_at = CASE WHEN p.retrying THEN NULL ELSE p.at END,
                delivery_id = CASE WHEN p.retrying THEN NULL ELSE j.delivery_id END,
                deadline_at = NULL,
                updated_at = p.at
              FROM plan p
             WHERE %5$s
            RETURNING j.*
        ), %3$s
        %4$s
        """
        .formatted(
            target,
            NOW,
            JobSql.appendEvents(
                """
                    SELECT p.id, p.space_id, e.type, e.data, p.attempt_number,
                           CASE WHEN e.ord = 2 THEN p.status END,
                           CASE WHEN e.ord = 2 THEN u.status END
                      FROM plan p JOIN u ON u.space_id = p.space_id AND u.id = p.id
                     CROSS JOIN LATERAL (VALUES
                         (1, CASE WHEN p.timed_out THEN 'timed_out' END, p.error_data),
                         (2, CASE WHEN p.retrying THEN 'retried' ELSE 'dead' END,
                          CASE WHEN p.retrying THEN p.retried_data ELSE p.error_data END)
                     ) AS e(ord, type, data)
                     WHERE e.type IS NOT NULL
                     ORDER BY p.id, e.ord
                """),
            finalSelect,
            JobSql.lockedRows("plan", "p", ":space"));
  }
}
