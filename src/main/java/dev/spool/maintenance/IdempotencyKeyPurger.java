package dev.spool.maintenance;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import java.sql.Types;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes {@code Idempotency-Key} records past their 24-hour replay window (docs/api.md §4.1), in
 * bounded batches, oldest first. A create only replays a key younger than the window, so an expired
 * record is dead weight; without this, every key ever used would stay. Two instances purging at
 * once take different rows (SKIP LOCKED); a create that re-uses an expired key deletes that record
 * itself, and the repeated age check keeps either from deleting a fresh one.
 */
@Component
public class IdempotencyKeyPurger {

  static final String DELETE_EXPIRED =
      """
      WITH doomed AS (
          SELECT space_id, key FROM idempotency_keys
           WHERE created_at <= %1$s - interval '24 hours'
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
           ORDER BY created_at LIMIT :batch
             FOR UPDATE SKIP LOCKED
      ), d AS (
          DELETE FROM idempotency_keys k USING doomed
           WHERE k.space_id = doomed.space_id AND k.key = doomed.key
             AND k.created_at <= %1$s - interval '24 hours'
          RETURNING 1
      )
      SELECT count(*) FROM d
      """
          .formatted(DbNow.SQL);

  /** On Citus: the spaces that may have work (docs/scaling.md). */
  static final String CANDIDATES =
      "SELECT DISTINCT space_id FROM idempotency_keys WHERE created_at <= "
          + DbNow.SQL
          + " - interval '24 hours'";

  private final JdbcClient jdbc;
  private final int batch;
  private final DbNow now;
  private final SpaceRouting routing;

  IdempotencyKeyPurger(
      JdbcClient jdbc, MaintenanceProperties properties, DbNow now, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.now = now;
    this.batch = properties.batchSize();
  }

  /** Deletes up to one batch; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return routing.eachSpace(
        () -> now.bind(jdbc.sql(CANDIDATES)).query(String.class).list(),
        space ->
            now.bind(jdbc.sql(DELETE_EXPIRED))
                    .param("batch", batch)
                    .param("space", space, Types.VARCHAR)
                    .query(Long.class)
                    .single()
                >= batch);
  }
}
