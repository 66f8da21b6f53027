package dev.spool.stats;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads {@code job_stats} rows for the stats endpoint. */
@Component
class StatsQueries {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, Long>> HIST = new TypeReference<>() {};

  static final String MINUTES =
      """
      SELECT minute, created, delivered, completed, retried, dead, killed, backlog,
             wait_hist::text AS wait_hist, run_hist::text AS run_hist
        FROM job_stats
       WHERE space_id = :space AND minute >= :start AND minute < :end
       ORDER BY minute
      """;

  static final String BACKLOG_BEFORE =
      """
      SELECT backlog FROM job_stats
       WHERE space_id = :space AND minute < :start AND backlog IS NOT NULL
       ORDER BY minute DESC LIMIT 1
      """;

  static final String SPACE_EXISTS = "SELECT EXISTS (SELECT 1 FROM spaces WHERE id = :id)";

  /**
   * One stored minute; counts in the order created, delivered, completed, retried, dead, killed.
   */
  record Minute(
      Instant minute,
      long[] counts,
      Long backlog,
      Map<String, Long> waits,
      Map<String, Long> runs) {}

  private final JdbcClient jdbc;

  StatsQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  boolean spaceExists(String id) {
    return jdbc.sql(SPACE_EXISTS).param("id", id).query(Boolean.class).single();
  }

  List<Minute> minutes(String space, Instant start, Instant end) {
    return jdbc.sql(MINUTES)
        .param("space", space)
        .param("start", Timestamp.from(start))
        .param("end", Timestamp.from(end))
        .query(
            (rs, n) ->
                new Minute(
                    rs.getObject("minute", OffsetDateTime.class).toInstant(),
                    new long[] {
                      rs.getLong("created"),
                      rs.getLong("delivered"),
                      rs.getLong("completed"),
                      rs.getLong("retried"),
                      rs.getLong("dead"),
                      rs.getLong("killed")
                    },
                    rs.getObject("backlog") == null ? null : rs.getLong("backlog"),
                    hist(rs.getString("wait_hist")),
                    hist(rs.getString("run_hist"))))
        .list();
  }

  /** The latest backlog sample before {@code start}; 0 when there is none. */
  long backlogBefore(String space, Instant start) {
    return jdbc.sql(BACKLOG_BEFORE)
        .param("space", space)
        .param("start", Timestamp.from(start))
        .query(Long.class)
        .optional()
        .orElse(0L);
  }

  private static Map<String, Long> hist(String json) {
    return json == null ? Map.of() : JSON.readValue(json, HIST);
  }
}
