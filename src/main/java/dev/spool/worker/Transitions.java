package dev.spool.worker;

import dev.spool.job.JobRepository;
import dev.spool.job.JobView;
import dev.spool.system.DurableCommits;
import dev.spool.system.GroupCommit;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's state changes after delivery, each one guarded UPDATE plus its event in one
 * statement. The WHERE states the source states of {@link dev.spool.job.JobStatus}'s table, the
 * caller's space and — when the worker sent {@code x-delivery-id} — its delivery; an empty result
 * means the precondition failed and {@link dev.spool.job.JobGuard} explains why.
 */
@Component
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

  /**
   * The requests of a batch ({@link #ops}): one row each, with the caller's guard. Job ids are
   * distinct within a batch ({@link GroupCommit} keeps equal keys apart), so each returned row
   * answers exactly one request.
   */
  private static final String OPS =
      """
      ops AS (
          SELECT * FROM json_to_recordset(CAST(:ops AS json))
                 AS o(id text, space text, delivery text, result text)
      )""";

  /**
   * The guard of {@link #CALLER_GUARD}, per request of a batch. The statements find their rows by
   * {@code id = ANY (ids)} and give the source states as a sub-select, not as constants: with
   * constants the planner may prove the partial in-flight index usable and AND it with the primary
   * key in a bitmap scan, reading one index entry per ack ever made (dead ones included, until
   * vacuum) instead of one primary-key entry per request. Seen in the lifecycle benchmark: 5,000+
   * entries read for a batch of five.
   */
  private static final String OP_GUARD =
      """
      AND (o.space IS NULL OR j.space_id = o.space)
      AND (o.delivery IS NULL OR j.delivery_id = o.delivery)
      """;

  static final String ACK_ALL_IF_DELIVERED =
      """
      WITH %s, u AS (
          UPDATE jobs j SET status = 'running', started_at = now(),
                 deadline_at = now() + j.timeout_seconds * interval '1 second', updated_at = now()
            FROM ops o
           WHERE j.id = ANY (ARRAY(SELECT id FROM ops)) AND j.id = o.id
             AND j.status = ANY (ARRAY(VALUES ('delivered'))) %s
          RETURNING j.*
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'acked', NULL, attempt_number FROM u ORDER BY id
      )
      SELECT %s FROM u
      """
          .formatted(OPS, OP_GUARD, JobRepository.JOB_COLUMNS);

  static final String COMPLETE_ALL_IF_IN_FLIGHT =
      """
      WITH %s, u AS (
          UPDATE jobs j SET status = 'completed', result = CAST(o.result AS json),
                 started_at = CASE WHEN j.status = 'delivered' THEN now() ELSE j.started_at END,
                 completed_at = now(), deadline_at = NULL, updated_at = now()
            FROM ops o
           WHERE j.id = ANY (ARRAY(SELECT id FROM ops)) AND j.id = o.id
             AND j.status = ANY (ARRAY(VALUES ('delivered'), ('running'))) %s
          RETURNING j.*
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'completed', json_build_object('result', result), attempt_number
            FROM u ORDER BY id
      )
      SELECT %s FROM u
      """
          .formatted(OPS, OP_GUARD, JobRepository.JOB_COLUMNS);

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

  /**
   * Acks and completes of concurrent requests written together (at most this many a batch). They
   * are the two calls a worker makes for every job, so under load they dominate; fail and kill stay
   * one statement each.
   */
  static final int MAX_BATCH = 64;

  /**
   * One batch at a time: the requests that arrive while it writes form the next one. On a busy
   * server this makes batches larger, and so cheaper per request, than overlapping two.
   */
  static final int IN_FLIGHT = 1;

  private final JdbcClient jdbc;
  private final DurableCommits durable;
  private final JsonMapper json = JsonMapper.builder().build();
  private final GroupCommit<Op, Optional<JobView>> group;

  Transitions(JdbcClient jdbc, DurableCommits durable, MeterRegistry registry) {
    this.durable = durable;
    this.jdbc = jdbc;
    this.group =
        new GroupCommit<>(IN_FLIGHT, MAX_BATCH, (Op op) -> 1, Op::id, this::write)
            .measured(registry, "transitions");
  }

  /** Who asks: the caller's space (null for admin) and the delivery it claims to hold (or null). */
  record Guard(String space, String delivery) {}

  private enum Kind {
    ACK,
    COMPLETE
  }

  /** One request of a batch. */
  private record Op(Kind kind, String id, Guard guard, String result) {}

  /** An {@link Op} as a row of {@link #OPS}. */
  private record OpRow(String id, String space, String delivery, String result) {}

  Optional<JobView> ack(String id, Guard guard) {
    return group.submit(new Op(Kind.ACK, id, guard, null));
  }

  /**
   * @param resultJson the result as JSON text, or null for none
   */
  Optional<JobView> complete(String id, Guard guard, String resultJson) {
    return group.submit(new Op(Kind.COMPLETE, id, guard, resultJson));
  }

  /**
   * Writes a batch in one transaction, one statement per kind; its WAL flush comes after the next
   * batch may start. If the joint write fails (one request may be the cause, or a deadlock with
   * another writer), each request is written alone so that it gets its own outcome; a failed flush
   * fails them all (committed, but not known to be on disk).
   */
  private Runnable write(List<GroupCommit.Entry<Op, Optional<JobView>>> batch) {
    List<JobView> changed = null;
    if (batch.size() > 1) {
      try {
        changed =
            durable.commitDeferred(
                () -> {
                  List<JobView> rows = new ArrayList<>(batch.size());
                  rows.addAll(writeAll(batch, Kind.ACK, ACK_ALL_IF_DELIVERED));
                  rows.addAll(writeAll(batch, Kind.COMPLETE, COMPLETE_ALL_IF_IN_FLIGHT));
                  return rows;
                });
      } catch (RuntimeException jointFailure) {
        // one request may be the cause, or a deadlock with another writer: each alone below
      }
    }
    if (changed == null) {
      changed = new ArrayList<>();
      for (GroupCommit.Entry<Op, Optional<JobView>> e : batch) {
        try {
          durable.commitDeferred(() -> alone(e.input())).ifPresent(changed::add);
        } catch (RuntimeException failure) {
          e.fail(failure);
        }
      }
    }
    List<JobView> rows = changed;
    return () -> {
      if (!rows.isEmpty()) {
        durable.flush(); // a failure fails the whole batch: committed, not known to be durable
      }
      Map<String, JobView> byId = new HashMap<>();
      rows.forEach(v -> byId.put(v.id(), v));
      batch.forEach(e -> e.succeed(Optional.ofNullable(byId.get(e.input().id()))));
    };
  }

  private List<JobView> writeAll(
      List<GroupCommit.Entry<Op, Optional<JobView>>> batch, Kind kind, String sql) {
    List<OpRow> rows = new ArrayList<>();
    for (GroupCommit.Entry<Op, Optional<JobView>> e : batch) {
      Op op = e.input();
      if (op.kind() == kind) {
        rows.add(new OpRow(op.id(), op.guard().space(), op.guard().delivery(), op.result()));
      }
    }
    if (rows.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(sql)
        .param("ops", json.writeValueAsString(rows))
        .query(JobRepository.JOB_MAPPER)
        .list();
  }

  private Optional<JobView> alone(Op op) {
    return switch (op.kind()) {
      case ACK ->
          spec(ACK_IF_DELIVERED, op.id(), op.guard()).query(JobRepository.JOB_MAPPER).optional();
      case COMPLETE ->
          spec(COMPLETE_IF_IN_FLIGHT, op.id(), op.guard())
              .param("result", op.result(), Types.VARCHAR)
              .query(JobRepository.JOB_MAPPER)
              .optional();
    };
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
