package dev.spool.job;

import dev.spool.common.DbNow;

/**
 * The pieces every statement that changes {@code jobs} is built from, said once: the statement's
 * now, the deadline a delivery or a sign of life sets, and the one way to append job events with
 * their notifications. The statements themselves live next to this class, one class per family:
 * {@link ClaimSql} (hand jobs out), {@link TransitionSql} (a worker's ack, complete, fail, kill),
 * {@link WorkerEventSql} (progress, checkpoint, keepalive, custom events, logs), {@link
 * MaintenanceSql} (promoter, timeout rescuer, retention reaper), {@link JobInserts} and {@link
 * JobRetries} (create, retry). Every one binds {@code :now} through {@link DbNow}.
 */
public final class JobSql {

  private JobSql() {}

  /** The statement's now (see {@link DbNow}): use it wherever a statement reads the time. */
  public static final String NOW = DbNow.SQL;

  /**
   * When the job's current delivery or execution times out: {@code timeoutSeconds} from now. Set on
   * delivery and ack, pushed back by progress, checkpoint and keepalive; {@code j} is the jobs row.
   */
  public static final String DEADLINE = "spool_after(" + NOW + ", j.timeout_seconds)";

  /**
   * The two CTEs that end every statement changing jobs (after the caller's own, so they begin with
   * {@code ev}): {@code ev} appends the events {@code rows} selects — columns {@code job_id,
   * space_id, type, data, attempt_number, from_status, to_status}, in the order wanted — and {@code
   * note} (one row, column {@code sent}) issues their notifications: {@code spool_events} for the
   * spaces with new events, and {@code spool_pending} for those where a job became pending, which
   * wakes long polls. The final SELECT must read {@code note} so that it runs; {@code ev} returns
   * {@code id, space_id, to_status}.
   */
  public static String appendEvents(String rows) {
    return """
        ev AS (
            INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                    to_status)
        %s
            RETURNING id, space_id, to_status
        ), note AS (
            SELECT spool_notify_events(array_agg(space_id))
                   + spool_notify_pending(array_agg(space_id) FILTER (WHERE to_status = 'pending'))
                   AS sent
              FROM ev
        )
        """
        .formatted(rows.stripTrailing());
  }
}
