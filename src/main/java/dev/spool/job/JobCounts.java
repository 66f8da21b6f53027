package dev.spool.job;

import dev.spool.common.BackgroundLoop;
import dev.spool.database.DistributedProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Jobs per status per space, without counting the job table and without a row of its own per
 * transition: every event that changes a job's status records {@code from_status} and {@code
 * to_status}, {@link #runOnce()} folds the events of finished transactions into {@code job_counts}
 * and moves a watermark, and a read adds the status changes of the few events at or after the
 * watermark.
 */
@Component
public class JobCounts {

  /**
   * The status changes recorded by events at or after the watermark, as (space, status, delta)
   * rows: +1 for the status moved to, -1 for the status moved from.
   */
  private static final String UNFOLDED =
      """
      SELECT e.space_id, s.status, s.d AS n
        FROM job_count_watermark w
        JOIN job_events e ON e.tx >= w.tx
       CROSS JOIN LATERAL (VALUES (e.to_status, 1), (e.from_status, -1)) AS s(status, d)
       WHERE s.status IS NOT NULL %s
      """;

  private static final String FOR_SPACE =
      """
      SELECT status, sum(n)::bigint AS n FROM (
          SELECT space_id, status, n FROM job_counts WHERE space_id = :space
          UNION ALL
          %s
      ) c GROUP BY status
      """
          .formatted(UNFOLDED.formatted("AND e.space_id = :space"));

  private static final String ALL_SPACES =
      """
      SELECT space_id, status, sum(n)::bigint AS n FROM (
          SELECT space_id, status, n FROM job_counts
          UNION ALL
          %s
      ) c GROUP BY space_id, status
      """
          .formatted(UNFOLDED.formatted(""));

  /**
   * Folds the status changes of every transaction older than the oldest one still running (the
   * snapshot's xmin: all of those have committed or aborted, so no event below it can appear later)
   * into the totals and moves the watermark there, in one statement. The watermark row's lock (SKIP
   * LOCKED) lets one instance at a time do it (the other skips its turn); a roll-up that locks the
   * row after another committed sees the newer watermark and folds only what lies above it.
   *
   * <p>With {@code :lagged} (on Citus) the watermark moves only to an xmin seen at least a second
   * earlier ({@code next_tx}, seen at {@code next_at}; a turn that uses it stores the xmin it sees
   * now): there, a transaction that wrote through two workers is finished on the coordinator a
   * moment before its {@code COMMIT PREPARED} makes its events readable on the workers, and an
   * event below the watermark is never folded. The lag is in time, not in turns, so any number of
   * instances taking turns keeps it.
   */
  private static final String ROLL_UP =
      """
      WITH w AS (
          SELECT tx, next_tx, next_at FROM job_count_watermark FOR UPDATE SKIP LOCKED
      ), snap AS (
          SELECT txid_snapshot_xmin(txid_current_snapshot()) AS xmin, now() AS at
      ), h AS (
          SELECT w.tx AS lo, snap.xmin AS seen, snap.at,
                 CASE WHEN NOT :lagged THEN greatest(w.tx, snap.xmin)
                      WHEN w.next_at IS NULL OR w.next_at <= snap.at - interval '1 second'
                      THEN greatest(w.tx, least(coalesce(w.next_tx, w.tx), snap.xmin))
                      ELSE w.tx END AS hi,
                 :lagged AND (w.next_at IS NULL OR w.next_at <= snap.at - interval '1 second')
                   AS turn
            FROM w, snap
      ), summed AS (
          SELECT e.space_id, s.status, sum(s.d)::bigint AS n
            FROM h JOIN job_events e ON e.tx >= h.lo AND e.tx < h.hi
           CROSS JOIN LATERAL (VALUES (e.to_status, 1), (e.from_status, -1)) AS s(status, d)
           WHERE s.status IS NOT NULL
           GROUP BY e.space_id, s.status HAVING sum(s.d) <> 0
      ), folded AS (
          INSERT INTO job_counts (space_id, status, n)
          SELECT space_id, status, n FROM summed ORDER BY space_id, status
          ON CONFLICT (space_id, status) DO UPDATE SET n = job_counts.n + excluded.n
      ), moved AS (
          UPDATE job_count_watermark
             SET tx = h.hi, next_tx = CASE WHEN h.turn THEN h.seen ELSE next_tx END,
                 next_at = CASE WHEN h.turn THEN h.at ELSE next_at END
            FROM h WHERE h.hi > h.lo OR h.turn
      )
      SELECT count(*) FROM summed
      """;

  private final JdbcClient jdbc;
  private final boolean lagged;

  JobCounts(JdbcClient jdbc, DistributedProperties distributed) {
    this.jdbc = jdbc;
    this.lagged = distributed.citus();
  }

  /** Count per status for one space; every one of the seven statuses is present. */
  public Map<String, Long> forSpace(String spaceId) {
    Map<String, Long> counts = zeroes();
    jdbc.sql(FOR_SPACE)
        .param("space", spaceId)
        .query((rs, n) -> counts.put(rs.getString("status"), rs.getLong("n")))
        .list();
    return counts;
  }

  /** Count per status for every space that ever had a job. */
  public Map<String, Map<String, Long>> allSpaces() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    jdbc.sql(ALL_SPACES)
        .query(
            (rs, n) ->
                out.computeIfAbsent(rs.getString("space_id"), s -> zeroes())
                    .put(rs.getString("status"), rs.getLong("n")))
        .list();
    return out;
  }

  /** Folds the status changes of finished transactions; always false (one pass folds all). */
  public boolean runOnce() {
    jdbc.sql(ROLL_UP).param("lagged", lagged).query(Long.class).single();
    return false;
  }

  /**
   * Rolls up until every transaction committed before the call is below the watermark (on Citus
   * that takes the lag, a second or so), at most {@code limit}.
   *
   * @return false when a transaction still open (or the limit) kept the watermark below
   */
  public boolean foldCommitted(Duration limit) {
    // a transaction of its own, committed: once the watermark is past it, all before it are folded
    long mark = jdbc.sql("SELECT txid_current()").query(Long.class).single();
    long until = System.nanoTime() + limit.toNanos();
    while (true) {
      runOnce();
      if (jdbc.sql("SELECT tx FROM job_count_watermark").query(Long.class).single() > mark) {
        return true;
      }
      if (System.nanoTime() > until) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static Map<String, Long> zeroes() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (JobStatus s : JobStatus.values()) {
      m.put(s.wire(), 0L);
    }
    return m;
  }

  @Configuration(proxyBeanMethods = false)
  static class RollUpLoop {
    @Bean
    BackgroundLoop jobCountRollUp(JobCounts counts) {
      return new BackgroundLoop("count-rollup", Duration.ofSeconds(1), counts::runOnce);
    }
  }
}
