package dev.spool.maintenance;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobStatements;
import dev.spool.job.MaintenanceSql;
import java.sql.Types;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Moves scheduled jobs whose time has come (by the database's clock, or a test's) to pending, with
 * a {@code promoted} event ({@link MaintenanceSql#PROMOTE_DUE}); the statement's {@code
 * spool_pending} notification then wakes long polls on every instance. Two instances promoting at
 * once take different rows (SKIP LOCKED).
 */
@Component
public class ScheduledJobPromoter {

  private final JdbcClient jdbc;
  private final int batch;
  private final DbNow now;
  private final SpaceRouting routing;
  private final JobStatements statements;

  ScheduledJobPromoter(
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

  /** Promotes up to one batch; true when a full batch suggests more are due. */
  public boolean runOnce() {
    return routing.eachSpace(
        () -> now.bind(jdbc.sql(MaintenanceSql.PROMOTE_CANDIDATES)).query(String.class).list(),
        space ->
            statements
                    .list(
                        MaintenanceSql.PROMOTE_DUE,
                        s -> now.bind(s).param("batch", batch).param("space", space, Types.VARCHAR),
                        (rs, n) -> rs.getLong(1))
                    .get(0)
                >= batch);
  }
}
