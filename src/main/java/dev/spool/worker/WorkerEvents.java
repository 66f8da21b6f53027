package dev.spool.worker;

import dev.spool.common.DbNow;
import dev.spool.database.DurableCommits;
import dev.spool.job.JobEventType;
import dev.spool.job.JobStatements;
import dev.spool.job.WorkerEventSql;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Runs the four worker events of docs/api.md §4.3 (progress, checkpoint, custom event, keepalive),
 * each one guarded statement of {@link WorkerEventSql}, durable before the answer. An empty answer
 * means the guard matched nothing; the caller asks {@code JobGuard.explain} why.
 */
@Component
class WorkerEvents {

  private final JobStatements statements;
  private final DurableCommits durable;
  private final DbNow now;

  WorkerEvents(DurableCommits durable, DbNow now, JobStatements statements) {
    this.statements = statements;
    this.durable = durable;
    this.now = now;
  }

  /** Who writes, to which job, under which delivery; null delivery/space means "any". */
  record Target(String jobId, String deliveryId, String spaceId) {}

  /** What was appended: the event id, the new deadline and, for progress, the stored progress. */
  record Appended(long eventId, java.time.OffsetDateTime deadlineAt, String progress) {}

  Optional<Appended> progress(Target t, String progressJson) {
    return append(WorkerEventSql.REPORT_PROGRESS, t, s -> s.param("progress", progressJson));
  }

  Optional<Appended> checkpoint(Target t, String dataJson) {
    return append(
        WorkerEventSql.APPEND_AND_RESET_TIMEOUT,
        t,
        s -> s.param("type", JobEventType.CHECKPOINT.wire()).param("data", dataJson));
  }

  Optional<Appended> keepalive(Target t) {
    return append(
        WorkerEventSql.APPEND_AND_RESET_TIMEOUT,
        t,
        s -> s.param("type", JobEventType.KEEPALIVE.wire()).param("data", null));
  }

  Optional<Appended> custom(Target t, String type, String dataJson) {
    return append(
        WorkerEventSql.APPEND_CUSTOM, t, s -> s.param("type", type).param("data", dataJson));
  }

  /**
   * Runs one event statement durably through {@link JobStatements} (on Citus on the job's worker
   * alone, docs/scaling.md).
   */
  private Optional<Appended> append(
      String sql, Target t, UnaryOperator<JdbcClient.StatementSpec> params) {
    return durable
        .write(
            () ->
                statements.listAnsweringEventId(
                    sql,
                    s ->
                        params.apply(
                            now.bind(s)
                                .param("id", t.jobId())
                                .param("delivery", t.deliveryId())
                                .param("space", t.spaceId())),
                    this::map))
        .stream()
        .findFirst();
  }

  private Appended map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new Appended(
        rs.getLong("event_id"),
        rs.getObject("deadline_at", java.time.OffsetDateTime.class),
        rs.getString("progress"));
  }
}
