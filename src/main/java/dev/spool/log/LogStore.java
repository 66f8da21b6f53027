package dev.spool.log;

import dev.spool.job.JobRepository;
import dev.spool.job.WorkerEventSql;
import dev.spool.web.JsonBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * SQL of the job_logs table: the one-statement batch append ({@link WorkerEventSql#APPEND_LOGS},
 * which reserves sequence numbers on the job row) and range reads by (job, seq).
 */
@Component
class LogStore {

  /**
   * One page of a job's logs after a seq: a range scan of the primary key, cut at a byte budget in
   * SQL so the records beyond it never leave the database. Records over the budget (but the first)
   * come back without text, only to tell that the page was cut.
   */
  static final String PAGE =
      """
      SELECT seq, level, CASE WHEN keep THEN message END AS message,
             CASE WHEN keep THEN data END AS data, logged_at, attempt_number, keep
        FROM (SELECT w.*, (n = 1 OR bytes <= :budget) AS keep
                FROM (SELECT p.*, row_number() OVER (ORDER BY seq) AS n,
                             sum(octet_length(p.message) + coalesce(octet_length(p.data), 0) + 64)
                                 OVER (ORDER BY seq) AS bytes
                        FROM (SELECT seq, level, message, data::text AS data, logged_at,
                                     attempt_number
                                FROM job_logs
                               WHERE job_id = :id AND seq > :after AND level >= :minLevel
                                 AND (CAST(:q AS text) IS NULL
                                      OR strpos(lower(message), lower(CAST(:q AS text))) > 0)
                               ORDER BY seq
                               LIMIT :limit) p) w) k
       ORDER BY seq
      """;

  private final JdbcClient jdbc;
  private final JsonMapper mapper;

  LogStore(JdbcClient jdbc, JsonBodies bodies) {
    this.jdbc = jdbc;
    this.mapper = bodies.mapper();
  }

  /**
   * Appends the records; returns how many were stored: all of them, or 0 when the precondition did
   * not hold.
   */
  int append(
      String jobId, String deliveryId, String spaceId, List<LogBatchReader.LogRecord> records) {
    List<Map<String, Object>> rows = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      LogBatchReader.LogRecord r = records.get(i);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("o", i + 1);
      row.put("l", r.level().code());
      row.put("m", r.message());
      row.put("t", r.timestamp());
      row.put("d", r.data());
      rows.add(row);
    }
    return jdbc.sql(WorkerEventSql.APPEND_LOGS)
        .param("n", records.size())
        .param("id", jobId)
        .param("delivery", deliveryId)
        .param("space", spaceId)
        .param("lines", mapper.writeValueAsString(rows))
        .update();
  }

  /** A stored log line as the API shows it. */
  record LogLine(
      long seq,
      String level,
      String message,
      @com.fasterxml.jackson.annotation.JsonRawValue String data,
      String timestamp,
      int attemptNumber) {}

  /**
   * Up to {@code limit} records after {@code after} within {@code budget} bytes of text, and
   * whether more follow (a further record exists, or the budget cut the page).
   */
  Page page(String jobId, long after, LogLevel minLevel, String q, int limit, long budget) {
    List<LogLine> lines = new ArrayList<>();
    boolean[] more = {false};
    jdbc.sql(PAGE)
        .param("id", jobId)
        .param("after", after)
        .param("minLevel", minLevel.code())
        .param("q", q)
        .param("limit", limit + 1)
        .param("budget", budget)
        .query(
            rs -> {
              if (!rs.getBoolean("keep") || lines.size() == limit) {
                more[0] = true;
                return;
              }
              lines.add(
                  new LogLine(
                      rs.getLong("seq"),
                      LogLevel.ofCode(rs.getShort("level")).wire(),
                      rs.getString("message"),
                      rs.getString("data"),
                      JobRepository.ts(rs, "logged_at"),
                      rs.getInt("attempt_number")));
            });
    return new Page(lines, more[0]);
  }

  /** A page of records, and whether the log goes on after it. */
  record Page(List<LogLine> lines, boolean more) {}
}
