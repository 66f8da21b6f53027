package dev.spool.worker;

import dev.spool.job.JobRepository;
import dev.spool.job.JobView;
import dev.spool.system.DurableCommits;
import java.sql.Types;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The worker's state changes after delivery, each one guarded UPDATE plus its event in one
 * statement. The WHERE states the source states of {@link dev.spool.job.JobStatus}'s table, the
 * caller's space and — when the worker sent {@code x-delivery-id} — its delivery; an empty result
 * means the precondition failed and {@link dev.spool.job.JobGuard} explains why.
 */
@Repository
class Transitions {

  /** The caller may touch the job (space-bound key) and holds its current delivery (if sent). */
  static final String CALLER_GUARD =
      """
      AND (CAST(:space AS text) IS NULL OR space_id = :space)
      AND (CAST(:delivery AS text) IS NULL OR delivery_id = :delivery)
      """;

  static final String ACK_IF_DELIVERED =
      """
      WITH u AS (
          UPDATE jobs SET status = 'running', started_at = now(),
                 deadline_at = now() + timeout_seconds * interval '1 second', updated_at = now()
           WHERE id = :id AND status = 'delivered' %s
          RETURNING *
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'acked', NULL, attempt_number FROM u
      )
      SELECT %s FROM u
      """
          .formatted(CALLER_GUARD, JobRepository.JOB_COLUMNS);

  /** From delivered too: completing an un-acked delivery is an implicit ack (sets startedAt). */
  static final String COMPLETE_IF_IN_FLIGHT =
      """
      WITH u AS (
          UPDATE jobs SET status = 'completed', result = CAST(:result AS json),
                 started_at = CASE WHEN status = 'delivered' THEN now() ELSE started_at END,
                 completed_at = now(), deadline_at = NULL, updated_at = now()
           WHERE id = :id AND status IN ('delivered', 'running') %s
          RETURNING *
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'completed', json_build_object('result', result), attempt_number
            FROM u
      )
      SELECT %s FROM u
      """
          .formatted(CALLER_GUARD, JobRepository.JOB_COLUMNS);

  static final String KILL_IF_ACTIVE =
      """
      WITH u AS (
          UPDATE jobs SET status = 'killed', result = json_build_object('reason', :reason),
                 completed_at = now(), deadline_at = NULL, updated_at = now()
           WHERE id = :id AND status IN ('scheduled', 'pending', 'delivered', 'running') %s
          RETURNING *
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'killed', json_build_object('reason', :reason), attempt_number
            FROM u
      )
      SELECT %s FROM u
      """
          .formatted(CALLER_GUARD, JobRepository.JOB_COLUMNS);

  /** A worker's fail: its one job, delivered or running, under the caller's guard. */
  static final String FAIL_IF_IN_FLIGHT =
      FailedAttempts.statement(
          """
              SELECT id, space_id, attempt_number, max_retries, backoff_seconds,
                     CAST(:retry AS boolean) AS retry, CAST(:error AS json) AS error,
                     CAST(:lastError AS text) AS last_error, false AS timed_out
                FROM jobs
               WHERE id = :id AND status IN ('delivered', 'running') %s
                 FOR UPDATE
          """
              .formatted(CALLER_GUARD),
          "SELECT " + JobRepository.JOB_COLUMNS + " FROM u");

  private final JdbcClient jdbc;
  private final DurableCommits durable;

  Transitions(JdbcClient jdbc, DurableCommits durable) {
    this.durable = durable;
    this.jdbc = jdbc;
  }

  /** Who asks: the caller's space (null for admin) and the delivery it claims to hold (or null). */
  record Guard(String space, String delivery) {}

  Optional<JobView> ack(String id, Guard guard) {
    return durable.write(
        () -> spec(ACK_IF_DELIVERED, id, guard).query(JobRepository.JOB_MAPPER).optional());
  }

  /**
   * @param resultJson the result as JSON text, or null for none
   */
  Optional<JobView> complete(String id, Guard guard, String resultJson) {
    return durable.write(
        () ->
            spec(COMPLETE_IF_IN_FLIGHT, id, guard)
                .param("result", resultJson, Types.VARCHAR)
                .query(JobRepository.JOB_MAPPER)
                .optional());
  }

  /**
   * @param errorJson the error as JSON text (a string or an object)
   * @param lastError the same error as the job's {@code lastError} text
   * @param retry false to skip remaining attempts
   */
  Optional<JobView> fail(
      String id, Guard guard, String errorJson, String lastError, boolean retry) {
    return durable.write(
        () ->
            spec(FAIL_IF_IN_FLIGHT, id, guard)
                .param("error", errorJson)
                .param("lastError", lastError)
                .param("retry", retry)
                .query(JobRepository.JOB_MAPPER)
                .optional());
  }

  Optional<JobView> kill(String id, Guard guard, String reason) {
    return durable.write(
        () ->
            spec(KILL_IF_ACTIVE, id, guard)
                .param("reason", reason)
                .query(JobRepository.JOB_MAPPER)
                .optional());
  }

  private JdbcClient.StatementSpec spec(String sql, String id, Guard guard) {
    return jdbc.sql(sql)
        .param("id", id)
        .param("space", guard.space(), Types.VARCHAR)
        .param("delivery", guard.delivery(), Types.VARCHAR);
  }
}
