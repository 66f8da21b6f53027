package dev.spool.maintenance;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobSql;
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

  ScheduledJobPromoter(
      JdbcClient jdbc, MaintenanceProperties properties, DbNow now, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.now = now;
    this.batch = properties.batchSize();
  }

  /** Promotes up to one batch; true when a full batch suggests more are due. */
  public boolean runOnce() {
    return routing.eachSpace(
        () -> now.bind(jdbc.sql(MaintenanceSql.PROMOTE_CANDIDATES)).query(String.class).list(),
        space ->
            now.bind(jdbc.sql(JobSql.routed(MaintenanceSql.PROMOTE_DUE, routing)))
                    .param("batch", batch)
                    .param("space", space, Types.VARCHAR)
                    .query(Long.class)
                    .single()
                >= batch);
  }
}
