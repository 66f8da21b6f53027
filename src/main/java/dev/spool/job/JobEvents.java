package dev.spool.job;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Bounded reads of a job's event history: the latest events shown with the job, and pages of all of
 * them. Each read stops at a count and at a byte budget summed in SQL, so rows beyond the budget
 * never leave the database (event data may be up to 1 MiB each).
 */
@Component
public class JobEvents {

  /**
   * The latest {@code :limit} events, with the running size from the newest backwards. Rows over
   * the budget (but the newest) come back without their data, only to tell that some were left out.
   */
  static final String RECENT =
      """
      SELECT id, type, CASE WHEN keep THEN data END AS data, attempt_number, created_at, keep
        FROM (SELECT w.*, (n = 1 OR bytes <= :budget) AS keep
                FROM (SELECT e.*, row_number() OVER (ORDER BY id DESC) AS n,
                             sum(coalesce(octet_length(e.data), 0) + :overhead)
                                 OVER (ORDER BY id DESC) AS bytes
                        FROM (SELECT id, type, data::text AS data, attempt_number, created_at
                                FROM job_events WHERE job_id = :id
                               ORDER BY id DESC LIMIT :limit) e) w) k
       ORDER BY id
      """;

  /** Events after {@code :after}, oldest first, the same way. */
  static final String PAGE =
      """
      SELECT id, type, CASE WHEN keep THEN data END AS data, attempt_number, created_at, keep
        FROM (SELECT w.*, (n = 1 OR bytes <= :budget) AS keep
                FROM (SELECT e.*, row_number() OVER (ORDER BY id) AS n,
                             sum(coalesce(octet_length(e.data), 0) + :overhead)
                                 OVER (ORDER BY id) AS bytes
                        FROM (SELECT id, type, data::text AS data, attempt_number, created_at
                                FROM job_events WHERE job_id = :id AND id > :after
                               ORDER BY id LIMIT :limit) e) w) k
       ORDER BY id
      """;

  /** Bytes counted per event besides its data: the id, type, timestamps and JSON punctuation. */
  static final int OVERHEAD = 128;

  /** What a read returned, and whether the history goes on beyond it. */
  public record Slice(List<JobView.EventView> events, boolean more) {}

  private final JdbcClient jdbc;
  private final JobEventProperties properties;

  JobEvents(JdbcClient jdbc, JobEventProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** The latest events within the count and budget, oldest first; {@code more} if older exist. */
  public Slice recent(String jobId) {
    List<Row> rows = query(RECENT, jobId, 0, properties.shown() + 1);
    // newest first here: the extra (oldest) row, and rows over the budget, are left out
    List<JobView.EventView> kept = new ArrayList<>();
    boolean more = rows.size() > properties.shown();
    for (int i = rows.size() - 1; i >= 0 && kept.size() < properties.shown(); i--) {
      if (!rows.get(i).keep()) {
        more = true;
        break;
      }
      kept.add(0, rows.get(i).event());
    }
    return new Slice(kept, more);
  }

  /** Up to {@code limit} events after the event id {@code after}, within the budget. */
  public Slice page(String jobId, long after, int limit) {
    List<Row> rows = query(PAGE, jobId, after, limit + 1);
    List<JobView.EventView> kept = new ArrayList<>();
    for (Row r : rows) {
      if (!r.keep() || kept.size() == limit) {
        break;
      }
      kept.add(r.event());
    }
    return new Slice(kept, kept.size() < rows.size());
  }

  private record Row(JobView.EventView event, boolean keep) {}

  private List<Row> query(String sql, String jobId, long after, int limit) {
    return jdbc.sql(sql)
        .param("id", jobId)
        .param("after", after)
        .param("limit", limit)
        .param("budget", properties.budget().toBytes())
        .param("overhead", OVERHEAD)
        .query(
            (rs, n) ->
                new Row(
                    new JobView.EventView(
                        rs.getLong("id"),
                        rs.getString("type"),
                        rs.getString("data"),
                        rs.getInt("attempt_number"),
                        JobRepository.ts(rs, "created_at")),
                    rs.getBoolean("keep")))
        .list();
  }
}
