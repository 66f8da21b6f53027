package dev.spool.maintenance;

import dev.spool.database.SpaceRouting;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Moves scheduled jobs whose time has come (by the database's clock) to pending, with a {@code
 * promoted} event; the statement's {@code spool_pending} notification then wakes long polls on
 * every instance. Two instances promoting at once take different rows (SKIP LOCKED); a job killed
 * or claimed meanwhile is no longer scheduled and is left alone.
 */
@Component
public class ScheduledJobPromoter {

  static final String PROMOTE_DUE =
      """
      WITH due AS (
          SELECT id, space_id FROM jobs WHERE status = 'scheduled' AND available_at <= now()
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
           ORDER BY available_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), u AS (
          UPDATE jobs j SET status = 'pending', updated_at = now()
            FROM due WHERE j.space_id = due.space_id AND j.id = due.id AND j.status = 'scheduled' AND j.available_at <= now()
          RETURNING j.id, j.space_id, j.attempt_number, j.available_at
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, 'promoted', NULL, attempt_number, 'scheduled', 'pending'
            FROM u ORDER BY available_at, id
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) + spool_notify_pending(array_agg(space_id))
                 AS sent
            FROM ev
      )
      SELECT count(*) FROM u, note
      """;

  /** On Citus: the spaces that may have work (docs/scaling.md). */
  static final String CANDIDATES =
      "SELECT DISTINCT space_id FROM jobs WHERE status = 'scheduled' AND available_at <= now()";

  private final JdbcClient jdbc;
  private final int batch;
  private final SpaceRouting routing;

  ScheduledJobPromoter(JdbcClient jdbc, MaintenanceProperties properties, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.batch = properties.batchSize();
  }

  /** Promotes up to one batch; true when a full batch suggests more are due. */
  public boolean runOnce() {
    return routing.eachSpace(
        CANDIDATES,
        space ->
            jdbc.sql(PROMOTE_DUE)
                    .param("batch", batch)
                    .param("space", space, java.sql.Types.VARCHAR)
                    .query(Long.class)
                    .single()
                >= batch);
  }
}
