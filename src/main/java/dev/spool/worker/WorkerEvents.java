package dev.spool.worker;

import dev.spool.common.DbNow;
import dev.spool.database.DurableCommits;
import dev.spool.job.JobEventType;
import dev.spool.job.WorkerEventSql;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Runs the four worker events of docs/api.md §4.3 (progress, checkpoint, custom event, keepalive),
 * each one guarded statement of {@link WorkerEventSql}, durable before the answer. An empty answer
 * means the guard matched nothing; the caller asks {@code JobGuard.explain} why.
 */
@Component
class WorkerEvents {

  private final JdbcClient jdbc;
  private final DurableCommits durable;
  private final DbNow now;

  WorkerEvents(JdbcClient jdbc, DurableCommits durable, DbNow now) {
    this.durable = durable;
    this.now = now;
    this.jdbc = jdbc;
  }

  /** Who writes, to which job, under which delivery; null delivery/space means "any". */
  record Target(String jobId, String deliveryId, String spaceId) {}

  /** What was appended: the event id, the new deadline and, for progress, the stored progress. */
  record Appended(long eventId, java.time.OffsetDateTime deadlineAt, String progress) {}

  Optional<Appended> progress(Target t, String progressJson) {
    return durable.write(
        () ->
            run(WorkerEventSql.REPORT_PROGRESS, t)
                .param("progress", progressJson)
                .query(this::map)
                .optional());
  }

  Optional<Appended> checkpoint(Target t, String dataJson) {
    return durable.write(
        () ->
            run(WorkerEventSql.APPEND_AND_RESET_TIMEOUT, t)
                .param("type", JobEventType.CHECKPOINT.wire())
                .param("data", dataJson)
                .query(this::map)
                .optional());
  }

  Optional<Appended> keepalive(Target t) {
    return durable.write(
        () ->
            run(WorkerEventSql.APPEND_AND_RESET_TIMEOUT, t)
                .param("type", JobEventType.KEEPALIVE.wire())
                .param("data", null)
                .query(this::map)
                .optional());
  }

  Optional<Appended> custom(Target t, String type, String dataJson) {
    return durable.write(
        () ->
            run(WorkerEventSql.APPEND_CUSTOM, t)
                .param("type", type)
                .param("data", dataJson)
                .query(this::map)
                .optional());
  }

  private JdbcClient.StatementSpec run(String sql, Target t) {
    return now.bind(jdbc.sql(sql))
        .param("id", t.jobId())
        .param("delivery", t.deliveryId())
        .param("space", t.spaceId());
  }

  private Appended map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new Appended(
        rs.getLong("event_id"),
        rs.getObject("deadline_at", java.time.OffsetDateTime.class),
        rs.getString("progress"));
  }
}
