package dev.spool.maintenance;

import dev.spool.database.SpaceRouting;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes terminal jobs whose {@code completedAt} is older than the retention, in bounded batches
 * (events, and logs, go with them by {@code ON DELETE CASCADE}), and subtracts them from the
 * per-status totals in the same statement. Only jobs whose events are all folded into those totals
 * (below the count watermark, see {@link dev.spool.job.JobCounts}) are taken: a job whose last
 * events are not folded yet waits for the next pass (the roll-up runs every second). Only terminal
 * jobs have a {@code completed_at} (a CHECK constraint) and terminal states are final, so an active
 * job is never deleted. Two instances reaping at once take different rows (SKIP LOCKED).
 */
@Component
public class RetentionReaper {

  static final String DELETE_EXPIRED =
      """
      WITH doomed AS (
          SELECT j.id, j.space_id FROM jobs j
           WHERE j.completed_at < now() - make_interval(secs => :retentionSeconds)
             AND (CAST(:space AS text) IS NULL OR j.space_id = :space)
             AND NOT EXISTS (SELECT 1 FROM job_events e, job_count_watermark w
                              WHERE e.space_id = j.space_id AND e.job_id = j.id
                                AND e.tx >= w.tx)
           ORDER BY j.completed_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), d AS (
          DELETE FROM jobs j USING doomed
           WHERE j.space_id = doomed.space_id AND j.id = doomed.id AND j.status IN ('completed', 'dead', 'killed')
          RETURNING j.space_id, j.status
      ), counted AS (
          UPDATE job_counts c SET n = c.n - g.n
            FROM (SELECT space_id, status, count(*) AS n FROM d GROUP BY space_id, status) g
           WHERE c.space_id = g.space_id AND c.status = g.status
      )
      SELECT count(*) FROM d
      """;

  /** On Citus: the spaces that may have work (docs/scaling.md). */
  static final String CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE completed_at < now() - make_interval(secs => :retentionSeconds)";

  private final JdbcClient jdbc;
  private final int batch;
  private final double retentionSeconds;

  private final SpaceRouting routing;

  RetentionReaper(
      JdbcClient jdbc,
      MaintenanceProperties properties,
      RetentionProperties retention,
      SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.batch = properties.batchSize();
    this.retentionSeconds = retention.retention().toMillis() / 1000.0;
  }

  /** Deletes up to one batch; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return routing.eachSpace(
        CANDIDATES,
        java.util.Map.of("retentionSeconds", retentionSeconds),
        space ->
            jdbc.sql(DELETE_EXPIRED)
                    .param("retentionSeconds", retentionSeconds)
                    .param("batch", batch)
                    .param("space", space, java.sql.Types.VARCHAR)
                    .query(Long.class)
                    .single()
                >= batch);
  }
}
