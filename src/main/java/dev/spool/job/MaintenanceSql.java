package dev.spool.job;

import static dev.spool.job.JobSql.NOW;

/**
 * The background statements that change jobs: promote due scheduled jobs, rescue timed-out
 * deliveries and executions, delete terminal jobs past retention. Each takes at most {@code :batch}
 * rows with {@code FOR UPDATE SKIP LOCKED}, so several instances running them at once take
 * different rows, and re-checks its condition on the locked row version, so a job a worker changed
 * a moment ago is left alone. Each returns the number of jobs it changed. They compare with the
 * statement's now ({@link JobSql#NOW}), which a test clock can move. Each takes an optional {@code
 * :space}: null on one PostgreSQL (every space at once); on Citus one space per run, so the
 * statement is routed to the worker that holds it ({@code SpaceRouting}, docs/scaling.md). The
 * change finds the locked rows by {@code ctid} and nothing else, as {@link ClaimSql} explains.
 */
public final class MaintenanceSql {

  private MaintenanceSql() {}

  /**
   * Moves scheduled jobs whose time has come to pending, with a {@code promoted} event; the
   * statement's {@code spool_pending} notification then wakes long polls on every instance. A job
   * killed or claimed meanwhile is no longer scheduled and is left alone.
   */
  public static final String PROMOTE_DUE =
      """
      WITH due AS (
          SELECT ctid, id, space_id FROM jobs WHERE status = 'scheduled' AND available_at <= %1$s
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
           ORDER BY available_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), u AS (
          UPDATE jobs j SET status = 'pending', updated_at = %1$s
            FROM due
           WHERE %3$s
          RETURNING j.id, j.space_id, j.attempt_number, j.available_at
      ), %2$s
      SELECT count(*) FROM u, note
      """
          .formatted(
              NOW,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, 'promoted', NULL, attempt_number, 'scheduled', 'pending'
                        FROM u ORDER BY available_at, id
                  """),
              JobSql.lockedRows("due", "due", ":space"));

  /**
   * A delivered job past its deadline returns to pending (same attempt, event {@code
   * delivery_timeout}).
   */
  public static final String RETURN_UNACKED =
      """
      WITH due AS (
          SELECT ctid, id, space_id, delivery_id FROM jobs
           WHERE status = 'delivered' AND deadline_at <= %1$s
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
           ORDER BY deadline_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), u AS (
          UPDATE jobs j SET status = 'pending', delivery_id = NULL, deadline_at = NULL,
                 updated_at = %1$s
            FROM due
           WHERE %3$s
          RETURNING j.id, j.space_id, j.attempt_number, j.timeout_seconds,
                    due.delivery_id AS old_delivery
      ), %2$s
      SELECT count(*) FROM u, note
      """
          .formatted(
              NOW,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, 'delivery_timeout',
                             json_build_object('deliveryId', old_delivery,
                                               'timeoutSeconds', timeout_seconds),
                             attempt_number, 'delivered', 'pending'
                        FROM u ORDER BY id
                  """),
              JobSql.lockedRows("due", "due", ":space"));

  /**
   * A running job past its deadline fails its attempt exactly like a worker's fail (event {@code
   * timed_out}, then {@code retried} or {@code dead}).
   */
  public static final String FAIL_EXPIRED_RUNNING =
      TransitionSql.failedAttempt(
          """
              SELECT ctid, id, space_id, status, attempt_number, max_retries, backoff_seconds,
                     true AS retry,
                     to_json('Execution timed out after ' || timeout_seconds || 's') AS error,
                     'Execution timed out after ' || timeout_seconds || 's' AS last_error,
                     true AS timed_out
                FROM jobs WHERE status = 'running' AND deadline_at <= %s
                 AND (CAST(:space AS text) IS NULL OR space_id = :space)
               ORDER BY deadline_at LIMIT :batch
                 FOR UPDATE SKIP LOCKED
          """
              .formatted(NOW),
          "SELECT count(*) FROM u, note");

  /**
   * Deletes terminal jobs whose {@code completed_at} is older than {@code :retentionSeconds}
   * (events and logs go with them by {@code ON DELETE CASCADE}) and subtracts them from the
   * per-status totals in the same statement. Only jobs whose events are all folded into those
   * totals (below the count watermark, see {@link JobCounts}) are taken: a job whose last events
   * are not folded yet waits for the next pass. Only terminal jobs have a {@code completed_at} (a
   * CHECK constraint) and terminal states are final, so an active job is never deleted.
   */
  public static final String DELETE_EXPIRED =
      """
      WITH doomed AS (
          SELECT j.ctid, j.id, j.space_id FROM jobs j
           WHERE j.completed_at < %s - make_interval(secs => :retentionSeconds)
             AND (CAST(:space AS text) IS NULL OR j.space_id = :space)
             AND NOT EXISTS (SELECT 1 FROM job_events e, job_count_watermark w
                              WHERE e.space_id = j.space_id AND e.job_id = j.id
                                AND e.tx >= w.tx)
           ORDER BY j.completed_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), d AS (
          DELETE FROM jobs j USING doomed
           WHERE %2$s
          RETURNING j.space_id, j.status
      ), counted AS (
          UPDATE job_counts c SET n = c.n - g.n
            FROM (SELECT space_id, status, count(*) AS n FROM d GROUP BY space_id, status) g
           WHERE c.space_id = g.space_id AND c.status = g.status
             AND (CAST(:space AS text) IS NULL OR c.space_id = :space)
      )
      SELECT count(*) FROM d
      """
          .formatted(NOW, JobSql.lockedRows("doomed", "doomed", ":space"));

  /**
   * On Citus ({@code SPOOL_DISTRIBUTED=citus}, docs/scaling.md): the spaces that may have work for
   * {@link #PROMOTE_DUE}, a lock-free read over every shard; each statement then runs per space.
   */
  public static final String PROMOTE_CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE status = 'scheduled' AND available_at <= " + NOW;

  /** On Citus: the spaces that may have work for the timeout statements. */
  public static final String TIMEOUT_CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE status IN ('delivered', 'running')"
          + " AND deadline_at <= "
          + NOW;

  /** On Citus: the spaces that may have work for {@link #DELETE_EXPIRED}. */
  public static final String RETENTION_CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE completed_at < "
          + NOW
          + " - make_interval(secs => :retentionSeconds)";
}
