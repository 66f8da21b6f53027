package dev.spool.worker;

import dev.spool.database.DurableCommits;
import dev.spool.job.JobEventType;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The four worker events of docs/api.md §4.3 (progress, checkpoint, custom event, keepalive), each
 * one statement: the job row is guarded in WHERE (running, the sent delivery, a space the key may
 * see) and the event is appended in the same statement, so an event is never recorded for a job
 * that has meanwhile completed, failed or been redelivered. An empty answer means the guard matched
 * nothing; the caller asks {@code JobGuard.explain} why.
 */
@Component
class WorkerEvents {

  /** The precondition every worker event states; {@code j} is the jobs row. */
  private static final String RUNNING_GUARD =
      """
      j.id = :id AND j.status = 'running'
        AND (CAST(:delivery AS text) IS NULL OR j.delivery_id = CAST(:delivery AS text))
        AND (CAST(:space AS text) IS NULL OR j.space_id = CAST(:space AS text))
      """;

  /** Stores the latest progress, restarts the execution timeout and appends a progress event. */
  static final String REPORT_PROGRESS =
      """
      WITH u AS (
          UPDATE jobs j
             SET progress = CAST(:progress AS jsonb) || jsonb_build_object('updatedAt', spool_ts(now())),
                 deadline_at = now() + make_interval(secs => j.timeout_seconds),
                 updated_at = now()
           WHERE %s
          RETURNING j.id, j.space_id, j.attempt_number, j.progress, j.deadline_at
      ), e AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'progress', progress::json, attempt_number FROM u
          RETURNING id, space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) AS sent FROM e
      )
      SELECT e.id AS event_id, u.deadline_at, u.progress::text AS progress FROM e, u, note
      """
          .formatted(RUNNING_GUARD);

  /**
   * Restarts the execution timeout and appends an event of a fixed type: {@code checkpoint} (whose
   * data later attempts read back from the job's events) or {@code keepalive}.
   */
  static final String APPEND_AND_RESET_TIMEOUT =
      """
      WITH u AS (
          UPDATE jobs j
             SET deadline_at = now() + make_interval(secs => j.timeout_seconds),
                 updated_at = now()
           WHERE %s
          RETURNING j.id, j.space_id, j.attempt_number, j.deadline_at
      ), e AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, :type, CAST(:data AS json), attempt_number FROM u
          RETURNING id, space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) AS sent FROM e
      )
      SELECT e.id AS event_id, u.deadline_at, NULL AS progress FROM e, u, note
      """
          .formatted(RUNNING_GUARD);

  /**
   * Appends a custom event without touching the job row, so the timeout is not reset. FOR SHARE
   * holds off a concurrent complete/fail/kill until this commits: the event cannot land after the
   * job's terminal event.
   */
  static final String APPEND_CUSTOM =
      """
      WITH j AS (
          SELECT j.id, j.space_id, j.attempt_number, j.deadline_at FROM jobs j
           WHERE %s
             FOR SHARE
      ), e AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, :type, CAST(:data AS json), attempt_number FROM j
          RETURNING id, space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) AS sent FROM e
      )
      SELECT e.id AS event_id, j.deadline_at, NULL AS progress FROM e, j, note
      """
          .formatted(RUNNING_GUARD);

  private final JdbcClient jdbc;
  private final DurableCommits durable;

  WorkerEvents(JdbcClient jdbc, DurableCommits durable) {
    this.durable = durable;
    this.jdbc = jdbc;
  }

  /** Who writes, to which job, under which delivery; null delivery/space means "any". */
  record Target(String jobId, String deliveryId, String spaceId) {}

  /** What was appended: the event id, the new deadline and, for progress, the stored progress. */
  record Appended(long eventId, java.time.OffsetDateTime deadlineAt, String progress) {}

  Optional<Appended> progress(Target t, String progressJson) {
    return durable.write(
        () -> run(REPORT_PROGRESS, t).param("progress", progressJson).query(this::map).optional());
  }

  Optional<Appended> checkpoint(Target t, String dataJson) {
    return durable.write(
        () ->
            run(APPEND_AND_RESET_TIMEOUT, t)
                .param("type", JobEventType.CHECKPOINT.wire())
                .param("data", dataJson)
                .query(this::map)
                .optional());
  }

  Optional<Appended> keepalive(Target t) {
    return durable.write(
        () ->
            run(APPEND_AND_RESET_TIMEOUT, t)
                .param("type", JobEventType.KEEPALIVE.wire())
                .param("data", null)
                .query(this::map)
                .optional());
  }

  Optional<Appended> custom(Target t, String type, String dataJson) {
    return durable.write(
        () ->
            run(APPEND_CUSTOM, t)
                .param("type", type)
                .param("data", dataJson)
                .query(this::map)
                .optional());
  }

  private JdbcClient.StatementSpec run(String sql, Target t) {
    return jdbc.sql(sql)
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
