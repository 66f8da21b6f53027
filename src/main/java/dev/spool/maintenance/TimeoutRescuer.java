package dev.spool.maintenance;

import dev.spool.database.SpaceRouting;
import dev.spool.worker.FailedAttempts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Enforces both timeouts of docs/api.md §5 with one clock and one field: {@code deadline_at}, set
 * on delivery and on ack, and pushed back by progress, checkpoint and keepalive. A delivered job
 * past it returns to pending (same attempt, event {@code delivery_timeout}); a running job past it
 * fails its attempt exactly like a worker's fail (event {@code timed_out}, then {@code retried} or
 * {@code dead}).
 *
 * <p>Safe with several instances and with racing workers: rows are taken with {@code FOR UPDATE
 * SKIP LOCKED} and the lock re-checks status and deadline on the newest row version, so a job that
 * a worker completed, acked or kept alive a moment ago is not touched, and a terminal job is never
 * rewritten. The worker's late call then fails its own guard (409).
 */
@Component
public class TimeoutRescuer {

  static final String RETURN_UNACKED =
      """
      WITH due AS (
          SELECT id, space_id, delivery_id FROM jobs
           WHERE status = 'delivered' AND deadline_at <= now()
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
           ORDER BY deadline_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), u AS (
          UPDATE jobs j SET status = 'pending', delivery_id = NULL, deadline_at = NULL,
                 updated_at = now()
            FROM due
           WHERE j.space_id = due.space_id AND j.id = due.id AND j.status = 'delivered' AND j.deadline_at <= now()
          RETURNING j.id, j.space_id, j.attempt_number, j.timeout_seconds,
                    due.delivery_id AS old_delivery
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, 'delivery_timeout',
                 json_build_object('deliveryId', old_delivery, 'timeoutSeconds', timeout_seconds),
                 attempt_number, 'delivered', 'pending'
            FROM u ORDER BY id
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) + spool_notify_pending(array_agg(space_id))
                 AS sent
            FROM ev
      )
      SELECT count(*) FROM u, note
      """;

  static final String FAIL_EXPIRED_RUNNING =
      FailedAttempts.statement(
          """
              SELECT id, space_id, status, attempt_number, max_retries, backoff_seconds,
                     true AS retry,
                     to_json('Execution timed out after ' || timeout_seconds || 's') AS error,
                     'Execution timed out after ' || timeout_seconds || 's' AS last_error,
                     true AS timed_out
                FROM jobs WHERE status = 'running' AND deadline_at <= now()
                 AND (CAST(:space AS text) IS NULL OR space_id = :space)
               ORDER BY deadline_at LIMIT :batch
                 FOR UPDATE SKIP LOCKED
          """,
          "SELECT count(*) FROM u, note");

  /** On Citus: the spaces that may have work (docs/scaling.md). */
  static final String CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE status IN ('delivered', 'running') AND deadline_at <= now()";

  private final JdbcClient jdbc;
  private final int batch;
  private final SpaceRouting routing;

  TimeoutRescuer(JdbcClient jdbc, MaintenanceProperties properties, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.batch = properties.batchSize();
  }

  /** Rescues up to one batch of each kind; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return routing.eachSpace(
        CANDIDATES,
        space -> {
          long unacked = run(RETURN_UNACKED, space);
          long expired = run(FAIL_EXPIRED_RUNNING, space);
          return unacked >= batch || expired >= batch;
        });
  }

  private long run(String sql, String space) {
    return jdbc.sql(sql)
        .param("batch", batch)
        .param("space", space, java.sql.Types.VARCHAR)
        .query(Long.class)
        .single();
  }
}
