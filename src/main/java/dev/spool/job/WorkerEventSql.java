package dev.spool.job;

import static dev.spool.job.JobSql.DEADLINE;
import static dev.spool.job.JobSql.NOW;

/**
 * What a worker appends to its running job (docs/api.md §4.3, §6): progress, checkpoint, custom
 * event, keepalive and log lines, each one statement. The job row is guarded in WHERE (running —
 * or, for logs, handed out —, the sent delivery, a space the key may see) and the event is appended
 * in the same statement, so an event is never recorded for a job that has meanwhile completed,
 * failed or been redelivered. The event statements return {@code event_id, deadline_at, progress};
 * an empty answer means the guard matched nothing.
 */
public final class WorkerEventSql {

  private WorkerEventSql() {}

  /** The precondition every worker event states ({@code :id, :delivery, :space}). */
  private static final String RUNNING_GUARD =
      """
      j.id = :id AND j.status = 'running'
        AND (CAST(:delivery AS text) IS NULL OR j.delivery_id = CAST(:delivery AS text))
        AND (CAST(:space AS text) IS NULL OR j.space_id = CAST(:space AS text))
      """;

  /** Stores the latest progress, restarts the execution timeout and appends a progress event. */
  public static final String REPORT_PROGRESS =
      """
      WITH u AS (
          UPDATE jobs j
             SET progress = CAST(:progress AS jsonb) || jsonb_build_object('updatedAt', spool_ts(%1$s)),
                 deadline_at = %2$s,
                 updated_at = %1$s
           WHERE %3$s
          RETURNING j.id, j.space_id, j.attempt_number, j.progress, j.deadline_at
      ), %4$s
      SELECT ev.id AS event_id, u.deadline_at, u.progress::text AS progress FROM ev, u, note
      """
          .formatted(
              NOW,
              DEADLINE,
              RUNNING_GUARD,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, 'progress', progress::json, attempt_number, NULL, NULL
                        FROM u
                  """));

  /**
   * Restarts the execution timeout and appends an event of a fixed {@code :type} with {@code
   * :data}: {@code checkpoint} (whose data later attempts read back from the job's events) or
   * {@code keepalive}.
   */
  public static final String APPEND_AND_RESET_TIMEOUT =
      """
      WITH u AS (
          UPDATE jobs j
             SET deadline_at = %2$s,
                 updated_at = %1$s
           WHERE %3$s
          RETURNING j.id, j.space_id, j.attempt_number, j.deadline_at
      ), %4$s
      SELECT ev.id AS event_id, u.deadline_at, NULL AS progress FROM ev, u, note
      """
          .formatted(
              NOW,
              DEADLINE,
              RUNNING_GUARD,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, :type, CAST(:data AS json), attempt_number, NULL, NULL
                        FROM u
                  """));

  /**
   * Appends a custom event without touching the job row, so the timeout is not reset. FOR SHARE
   * holds off a concurrent complete/fail/kill until this commits: the event cannot land after the
   * job's terminal event.
   */
  public static final String APPEND_CUSTOM =
      """
      WITH j AS (
          SELECT j.id, j.space_id, j.attempt_number, j.deadline_at FROM jobs j
           WHERE %s
             FOR SHARE
      ), %s
      SELECT ev.id AS event_id, j.deadline_at, NULL AS progress FROM ev, j, note
      """
          .formatted(
              RUNNING_GUARD,
              JobSql.appendEvents(
                  """
                      SELECT id, space_id, :type, CAST(:data AS json), attempt_number, NULL, NULL
                        FROM j
                  """));

  /**
   * Reserves {@code :n} log sequence numbers on the job row and inserts the batch ({@code :lines}),
   * in one statement. The UPDATE takes the job's row lock, so concurrent batches for one job get
   * consecutive, non-overlapping ranges and commit in seq order (the next writer waits for the lock
   * until this one commits); if the insert fails the reservation rolls back with it, so seq has no
   * gaps. The WHERE states the precondition: a job that has been handed out (not scheduled or
   * pending), the sent delivery, a space the key may see. It appends no event.
   */
  public static final String APPEND_LOGS =
      """
      WITH r AS (
          UPDATE jobs j SET log_seq = j.log_seq + :n
           WHERE j.id = :id AND j.status NOT IN ('scheduled', 'pending')
             AND (CAST(:delivery AS text) IS NULL OR j.delivery_id = CAST(:delivery AS text))
             AND (CAST(:space AS text) IS NULL OR j.space_id = CAST(:space AS text))
          RETURNING j.id, j.space_id, j.log_seq - :n AS base, j.attempt_number
      )
      INSERT INTO job_logs (job_id, space_id, seq, level, message, data, logged_at,
                            attempt_number)
      SELECT r.id, r.space_id, r.base + l.o, l.l, l.m, l.d, coalesce(l.t, now()),
             r.attempt_number
        FROM r CROSS JOIN json_to_recordset(CAST(:lines AS json))
             AS l(o int, l smallint, m text, d json, t timestamptz)
      """;
}
