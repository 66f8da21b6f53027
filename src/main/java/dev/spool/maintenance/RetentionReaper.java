package dev.spool.maintenance;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes terminal jobs whose {@code completedAt} is older than the retention, in bounded batches
 * (events, and logs, go with them by {@code ON DELETE CASCADE}). Only terminal jobs have a {@code
 * completed_at} (a CHECK constraint) and terminal states are final, so an active job is never
 * deleted. Two instances reaping at once take different rows (SKIP LOCKED).
 */
@Component
public class RetentionReaper {

  static final String DELETE_EXPIRED =
      """
      WITH doomed AS (
          SELECT id FROM jobs
           WHERE completed_at < now() - make_interval(secs => :retentionSeconds)
           ORDER BY completed_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), d AS (
          DELETE FROM jobs j USING doomed
           WHERE j.id = doomed.id AND j.status IN ('completed', 'dead', 'killed')
          RETURNING j.id
      )
      SELECT count(*) FROM d
      """;

  private final JdbcClient jdbc;
  private final int batch;
  private final double retentionSeconds;

  RetentionReaper(
      JdbcClient jdbc, MaintenanceProperties properties, RetentionProperties retention) {
    this.jdbc = jdbc;
    this.batch = properties.batchSize();
    this.retentionSeconds = retention.retention().toMillis() / 1000.0;
  }

  /** Deletes up to one batch; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return jdbc.sql(DELETE_EXPIRED)
            .param("retentionSeconds", retentionSeconds)
            .param("batch", batch)
            .query(Long.class)
            .single()
        >= batch;
  }
}
