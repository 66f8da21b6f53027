package dev.spool.maintenance;

import dev.spool.common.DbNow;
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

  private final JdbcClient jdbc;
  private final int batch;
  private final DbNow now;

  IdempotencyKeyPurger(JdbcClient jdbc, MaintenanceProperties properties, DbNow now) {
    this.jdbc = jdbc;
    this.now = now;
    this.batch = properties.batchSize();
  }

  /** Deletes up to one batch; true when a full batch suggests more are waiting. */
  public boolean runOnce() {
    return now.bind(jdbc.sql(DELETE_EXPIRED)).param("batch", batch).query(Long.class).single()
        >= batch;
  }
}
