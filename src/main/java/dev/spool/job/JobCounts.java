package dev.spool.job;

import dev.spool.system.BackgroundLoop;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Jobs per status per space, without counting the job table: triggers append deltas, {@link
 * #rollUpOnce()} folds them into totals, and a read adds the few deltas not yet folded.
 */
@Component
public class JobCounts {

  static final int ROLLUP_BATCH = 10_000;

  /**
   * Deltas younger than this stay unfolded: the realtime space streams read a committed
   * transaction's own deltas (by {@code tx}) to update their in-memory counts, shortly after
   * commit. Reads add unfolded deltas anyway, so this only delays folding.
   */
  public static final Duration DELTA_HORIZON = Duration.ofSeconds(10);

  private static final String FOR_SPACE =
      """
      SELECT status, sum(n)::bigint AS n FROM (
          SELECT status, n FROM job_counts WHERE space_id = :space
          UNION ALL
          SELECT status, delta FROM job_count_deltas WHERE space_id = :space
      ) c GROUP BY status
      """;

  private static final String ALL_SPACES =
      """
      SELECT space_id, status, sum(n)::bigint AS n FROM (
          SELECT space_id, status, n FROM job_counts
          UNION ALL
          SELECT space_id, status, delta FROM job_count_deltas
      ) c GROUP BY space_id, status
      """;

  /**
   * Moves a batch of deltas into the totals. SKIP LOCKED lets two instances roll up at once without
   * taking the same deltas; the DELETE and the upsert commit together.
   */
  private static final String ROLL_UP =
      """
      WITH taken AS (
          DELETE FROM job_count_deltas WHERE id IN (
              SELECT id FROM job_count_deltas
               WHERE created_at < now() - make_interval(secs => :horizon)
               ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)
          RETURNING space_id, status, delta
      ), summed AS (
          SELECT space_id, status, sum(delta)::bigint AS n FROM taken GROUP BY space_id, status
      ), folded AS (
          INSERT INTO job_counts (space_id, status, n)
          SELECT space_id, status, n FROM summed
          ON CONFLICT (space_id, status) DO UPDATE SET n = job_counts.n + excluded.n
      )
      SELECT count(*) FROM taken
      """;

  private final JdbcClient jdbc;

  JobCounts(JdbcClient jdbc) {
    this.jdbc = jdbc;
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

  /** Folds up to one batch of deltas; true when more may be waiting. */
  public boolean rollUpOnce() {
    long taken =
        jdbc.sql(ROLL_UP)
            .param("batch", ROLLUP_BATCH)
            .param("horizon", DELTA_HORIZON.toSeconds())
            .query(Long.class)
            .single();
    return taken >= ROLLUP_BATCH;
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
      return new BackgroundLoop("count-rollup", Duration.ofSeconds(1), counts::rollUpOnce);
    }
  }
}
