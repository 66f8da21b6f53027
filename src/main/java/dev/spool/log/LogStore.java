package dev.spool.log;

import dev.spool.job.JobRepository;
import dev.spool.web.JsonBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** SQL of the job_logs table: one-statement batch append and range reads by (job, seq). */
@Component
class LogStore {

  /**
   * Reserves {@code :n} sequence numbers on the job row and inserts the batch, in one statement.
   * The UPDATE takes the job's row lock, so concurrent batches for one job get consecutive,
   * non-overlapping ranges and commit in seq order (the next writer waits for the lock until this
   * one commits); if the insert fails the reservation rolls back with it, so seq has no gaps. The
   * WHERE states the precondition: a job that has been handed out (not scheduled or pending), the
   * sent delivery, a space the key may see.
   */
  static final String APPEND_BATCH =
      """
      WITH r AS (
          UPDATE jobs j SET log_seq = j.log_seq + :n
           WHERE j.id = :id AND j.status NOT IN ('scheduled', 'pending')
             AND (CAST(:delivery AS text) IS NULL OR j.delivery_id = CAST(:delivery AS text))
             AND (CAST(:space AS text) IS NULL OR j.space_id = CAST(:space AS text))
          RETURNING j.id, j.space_id, j.log_seq - :n AS base, j.attempt_number
      )
      INSERT INTO job_logs (job_id, space_id, seq, level, message, data, logged_at,
                            attempt_number)
      SELECT r.id, r.space_id, r.base + l.o, l.l, l.m, l.d, coalesce(l.t, now()),
             r.attempt_number
        FROM r CROSS JOIN json_to_recordset(CAST(:lines AS json))
             AS l(o int, l smallint, m text, d json, t timestamptz)
      """;

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
    return jdbc.sql(APPEND_BATCH)
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
