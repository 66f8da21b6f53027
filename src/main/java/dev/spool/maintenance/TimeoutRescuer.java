package dev.spool.maintenance;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobStatements;
import dev.spool.job.MaintenanceSql;
import java.sql.Types;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Enforces both timeouts of docs/api.md §5 with one clock and one field: {@code deadline_at}, set
 * on delivery and on ack, and pushed back by progress, checkpoint and keepalive. A delivered job
 * past it returns to pending (same attempt, event {@code delivery_timeout}); a running job past it
 * fails its attempt exactly like a worker's fail (event {@code timed_out}, then {@code retried} or
 * {@code dead}). The statements are {@link MaintenanceSql#RETURN_UNACKED} and {@link
 * MaintenanceSql#FAIL_EXPIRED_RUNNING}; "past" is by the database's clock, or a test's.
 *
 * <p>Safe with several instances and with racing workers: rows are taken with {@code FOR UPDATE
 * SKIP LOCKED} and the lock re-checks status and deadline on the newest row version, so a job that
 * a worker completed, acked or kept alive a moment ago is not touched, and a terminal job is never
 * rewritten. The worker's late call then fails its own guard (409).
 */
@Component
public class TimeoutRescuer {

  private final JdbcClient jdbc;
  private final int batch;
  private final DbNow now;
  private final SpaceRouting routing;
  private final JobStatements statements;

  TimeoutRescuer(
      JdbcClient jdbc,
      MaintenanceProperties properties,
      DbNow now,
      SpaceRouting routing,
      JobStatements statements) {
    this.jdbc = jdbc;
    this.statements = statements;
    this.routing = routing;
    this.now = now;
    this.batch = properties.batchSize();
  }

  /** Rescues up to one batch of each kind; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return routing.eachSpace(
        () -> now.bind(jdbc.sql(MaintenanceSql.TIMEOUT_CANDIDATES)).query(String.class).list(),
        space -> {
          long unacked = count(MaintenanceSql.RETURN_UNACKED, space);
          long expired = count(MaintenanceSql.FAIL_EXPIRED_RUNNING, space);
          return unacked >= batch || expired >= batch;
        });
  }

  private long count(String sql, String space) {
    return statements
        .list(
            sql,
            s -> now.bind(s).param("batch", batch).param("space", space, Types.VARCHAR),
            (rs, n) -> rs.getLong(1))
        .get(0);
  }
}
