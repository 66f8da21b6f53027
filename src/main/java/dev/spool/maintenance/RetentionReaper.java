package dev.spool.maintenance;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobSql;
import dev.spool.job.MaintenanceSql;
import java.sql.Types;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes terminal jobs whose {@code completedAt} is older than the retention ({@link
 * MaintenanceSql#DELETE_EXPIRED}; older by the database's clock, or a test's), in bounded batches
 * (events, and logs, go with them by {@code ON DELETE CASCADE}), and subtracts them from the
 * per-status totals in the same statement. Only jobs whose events are all folded into those totals
 * (below the count watermark, see {@link dev.spool.job.JobCounts}) are taken: a job whose last
 * events are not folded yet waits for the next pass (the roll-up runs every second). Only terminal
 * jobs have a {@code completed_at} (a CHECK constraint) and terminal states are final, so an active
 * job is never deleted. Two instances reaping at once take different rows (SKIP LOCKED).
 */
@Component
public class RetentionReaper {

  private final JdbcClient jdbc;
  private final int batch;
  private final double retentionSeconds;
  private final DbNow now;
  private final SpaceRouting routing;

  RetentionReaper(
      JdbcClient jdbc,
      MaintenanceProperties properties,
      RetentionProperties retention,
      DbNow now,
      SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.now = now;
    this.batch = properties.batchSize();
    this.retentionSeconds = retention.retention().toMillis() / 1000.0;
  }

  /** Deletes up to one batch; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return routing.eachSpace(
        () ->
            now.bind(jdbc.sql(MaintenanceSql.RETENTION_CANDIDATES))
                .param("retentionSeconds", retentionSeconds)
                .query(String.class)
                .list(),
        space ->
            now.bind(jdbc.sql(JobSql.routed(MaintenanceSql.DELETE_EXPIRED, routing)))
                    .param("retentionSeconds", retentionSeconds)
                    .param("batch", batch)
                    .param("space", space, Types.VARCHAR)
                    .query(Long.class)
                    .single()
                >= batch);
  }
}
