package dev.spool.job;

import dev.spool.common.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads of the job table. The statements that change it live in this package too ({@link JobSql}
 * and the classes it names), each stating its precondition in WHERE.
 */
@Component
public class JobRepository {

  /** The columns {@link #JOB_MAPPER} reads; select them (optionally with an alias) to map a job. */
  public static final String JOB_COLUMNS =
      """
      id, space_id, name, payload::text AS payload, status, max_retries, attempt_number,
      timeout_seconds, backoff_seconds, scheduled_for, callback_url,
      callback_headers::text AS callback_headers, progress::text AS progress,
      result::text AS result, last_error, created_at, updated_at, delivered_at, started_at,
      completed_at, retried_from
      """;

  public static final RowMapper<JobView> JOB_MAPPER = JobRepository::mapJob;

  private static final String FIND = "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id";

  private static final String SPACE_OF = "SELECT space_id FROM jobs WHERE id = :id";

  private final JdbcClient jdbc;

  JobRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<JobView> find(String id) {
    return jdbc.sql(FIND).param("id", id).query(JOB_MAPPER).optional();
  }

  /** The space a job belongs to, for access checks that need nothing else. */
  public Optional<String> spaceOf(String id) {
    return jdbc.sql(SPACE_OF).param("id", id).query(String.class).optional();
  }

  private static JobView mapJob(ResultSet rs, int n) throws SQLException {
    return new JobView(
        rs.getString("id"),
        rs.getString("space_id"),
        rs.getString("name"),
        rs.getString("payload"),
        rs.getString("status"),
        rs.getInt("max_retries"),
        rs.getInt("attempt_number"),
        rs.getInt("timeout_seconds"),
        rs.getInt("backoff_seconds"),
        ts(rs, "scheduled_for"),
        rs.getString("callback_url"),
        rs.getString("callback_headers"),
        rs.getString("progress"),
        rs.getString("result"),
        rs.getString("last_error"),
        ts(rs, "created_at"),
        ts(rs, "updated_at"),
        ts(rs, "delivered_at"),
        ts(rs, "started_at"),
        ts(rs, "completed_at"),
        rs.getString("retried_from"),
        null);
  }

  /** A timestamptz column in the API's format, or null. */
  public static String ts(ResultSet rs, String column) throws SQLException {
    return Timestamps.format(rs.getObject(column, OffsetDateTime.class));
  }
}
