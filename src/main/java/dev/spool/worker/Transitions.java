package dev.spool.worker;

import dev.spool.database.DurableCommits;
import dev.spool.database.GroupCommit;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobRepository;
import dev.spool.job.JobView;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

  /**
   * Acks and completes, of one request or of a batch of concurrent ones ({@link GroupCommit}), in
   * one autocommit statement: an ack moves a delivered job to running; a complete moves a delivered
   * (an implicit ack: sets {@code startedAt}) or running job to completed with its result. Each
   * request is a row of {@code ops} with the caller's guard (space, delivery); job ids are distinct
   * within a batch, so each returned row answers exactly one request, and a request that matched
   * nothing is explained by {@link dev.spool.job.JobGuard}.
   *
   * <p>{@code commit_mode} lets the commit skip its WAL flush when {@code :deferFlush} (see {@link
   * DurableCommits}); it is joined into {@code ops} so that it is evaluated.
   *
   * <p>The rows are found by {@code id = ANY (ids)} and the source states come from a sub-select,
   * not constants: with constants the planner may prove the partial in-flight index usable and AND
   * it with the primary key in a bitmap scan, reading one index entry per ack ever made (dead ones
   * included, until vacuum) instead of one primary-key entry per request — seen in the lifecycle
   * benchmark as 5,000+ entries read for a batch of five.
   */
  static final String ACK_OR_COMPLETE =
      """
      WITH commit_mode AS MATERIALIZED (
          SELECT set_config('synchronous_commit',
                            CASE WHEN :deferFlush THEN 'off'
                                 ELSE current_setting('synchronous_commit') END, true)
      ), ops AS MATERIALIZED (
          SELECT o.*, now() AS at FROM commit_mode, json_to_recordset(CAST(:ops AS json))
                 AS o(kind text, id text, space text, delivery text, result text)
      ), u AS (
          UPDATE jobs j
             SET status = CASE WHEN o.kind = 'ack' THEN 'running' ELSE 'completed' END,
                 previous_status = j.status,
                 result = CASE WHEN o.kind = 'ack' THEN j.result ELSE CAST(o.result AS json) END,
                 started_at = CASE WHEN j.status = 'delivered' THEN o.at ELSE j.started_at END,
                 deadline_at = CASE WHEN o.kind = 'ack'
                                    THEN spool_after(o.at, j.timeout_seconds) END,
                 completed_at = CASE WHEN o.kind = 'ack' THEN NULL ELSE o.at END,
                 updated_at = now()
            FROM ops o
           WHERE j.id = ANY (ARRAY(SELECT id FROM ops)) AND j.id = o.id
             AND j.status = ANY (ARRAY(VALUES ('delivered'), ('running')))
             AND (o.kind = 'complete' OR j.status = 'delivered')
             AND (o.space IS NULL OR j.space_id = o.space)
             AND (o.delivery IS NULL OR j.delivery_id = o.delivery)
          RETURNING j.*, o.kind
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, CASE WHEN kind = 'ack' THEN 'acked' ELSE 'completed' END,
                 CASE WHEN kind = 'ack' THEN NULL ELSE json_build_object('result', result) END,
                 attempt_number, previous_status, status
            FROM u ORDER BY id
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT %s FROM u, note
      """
          .formatted(JobRepository.JOB_COLUMNS);

  /**
   * On Citus ({@code SPOOL_DISTRIBUTED=citus}): {@link #ACK_OR_COMPLETE} for the requests of one
   * space, the space a constant, so the statement runs on the one worker that holds it (a statement
   * over every shard would also take Citus's shard locks and serialize all acks and completes).
   */
  static final String ACK_OR_COMPLETE_IN_SPACE =
      ACK_OR_COMPLETE.replace(
          "AND (o.space IS NULL OR j.space_id = o.space)", "AND j.space_id = :space");

  static final String KILL_IF_ACTIVE =
      """
      WITH u AS (
          UPDATE jobs SET status = 'killed', previous_status = status,
                 result = json_build_object('reason', :reason),
                 completed_at = now(), deadline_at = NULL, updated_at = now()
           WHERE id = :id AND status IN ('scheduled', 'pending', 'delivered', 'running') %s
          RETURNING *
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, 'killed', json_build_object('reason', :reason), attempt_number,
                 previous_status, 'killed'
            FROM u
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT %s FROM u, note
      """
          .formatted(CALLER_GUARD, JobRepository.JOB_COLUMNS);

  /** A worker's fail: its one job, delivered or running, under the caller's guard. */
  static final String FAIL_IF_IN_FLIGHT =
      FailedAttempts.statement(
          """
              SELECT id, space_id, status, attempt_number, max_retries, backoff_seconds,
                     CAST(:retry AS boolean) AS retry, CAST(:error AS json) AS error,
                     CAST(:lastError AS text) AS last_error, false AS timed_out
                FROM jobs
               WHERE id = :id AND status IN ('delivered', 'running') %s
                 FOR UPDATE
          """
              .formatted(CALLER_GUARD),
          "SELECT " + JobRepository.JOB_COLUMNS + " FROM u, note");

  /**
   * Acks and completes of concurrent requests are written together (at most this many a batch).
   * They are the two calls a worker makes for every job, so under load they dominate; fail and kill
   * stay one statement each.
   */
  static final int MAX_BATCH = 64;

  /**
   * Result bytes that count as one more request towards {@link #MAX_BATCH}, so that a batch carries
   * at most about a megabyte of results: a complete with a 1 MB result goes alone.
   */
  static final int RESULT_BYTES_PER_SLOT = 16 * 1024;

  /**
   * One batch at a time: the requests that arrive while it writes form the next one. On a busy
   * server this makes batches larger, and so cheaper per request, than overlapping two; the batch's
   * WAL flush does overlap the next batch's statement.
   */
  static final int IN_FLIGHT = 1;

  private final JdbcClient jdbc;
  private final DurableCommits durable;
  private final JsonMapper json = JsonMapper.builder().build();
  private final GroupCommit<Op, Optional<JobView>> group;

  private final SpaceRouting routing;

  Transitions(
      JdbcClient jdbc, DurableCommits durable, MeterRegistry registry, SpaceRouting routing) {
    this.routing = routing;
    this.durable = durable;
    this.jdbc = jdbc;
    this.group =
        new GroupCommit<>(IN_FLIGHT, MAX_BATCH, Transitions::weight, Op::id, this::write)
            .measured(registry, "transitions");
  }

  /** Who asks: the caller's space (null for admin) and the delivery it claims to hold (or null). */
  record Guard(String space, String delivery) {}

  /** One request: a row of {@link #ACK_OR_COMPLETE}'s {@code ops}. */
  record Op(String kind, String id, String space, String delivery, String result) {}

  /** A request's share of a batch: one, plus one per {@link #RESULT_BYTES_PER_SLOT} of result. */
  static int weight(Op op) {
    return op.result() == null ? 1 : 1 + op.result().length() / RESULT_BYTES_PER_SLOT;
  }

  Optional<JobView> ack(String id, Guard guard) {
    return group.submit(new Op("ack", id, guard.space(), guard.delivery(), null));
  }

  /**
   * @param resultJson the result as JSON text, or null for none
   */
  Optional<JobView> complete(String id, Guard guard, String resultJson) {
    return group.submit(new Op("complete", id, guard.space(), guard.delivery(), resultJson));
  }

  /**
   * Writes a batch in one statement; its WAL flush comes after the next batch may start. If the
   * joint write fails (one request may be the cause, or a deadlock with another writer), each
   * request is written alone so that it gets its own outcome; a failed flush fails them all
   * (committed, but not known to be on disk).
   */
  private Runnable write(List<GroupCommit.Entry<Op, Optional<JobView>>> batch) {
    if (!routing.distributed()) {
      return writeTogether(batch);
    }
    // Citus: one statement per space, each on the worker that holds the space
    Map<String, List<GroupCommit.Entry<Op, Optional<JobView>>>> bySpace = new LinkedHashMap<>();
    batch.forEach(
        e ->
            bySpace
                .computeIfAbsent(String.valueOf(e.input().space()), s -> new ArrayList<>())
                .add(e));
    List<Runnable> parts = new ArrayList<>();
    bySpace.values().forEach(part -> parts.add(writeTogether(part)));
    return () -> parts.forEach(Runnable::run);
  }

  private Runnable writeTogether(List<GroupCommit.Entry<Op, Optional<JobView>>> batch) {
    List<JobView> changed = null;
    if (batch.size() > 1) {
      try {
        changed = ackOrComplete(batch.stream().map(GroupCommit.Entry::input).toList());
      } catch (RuntimeException jointFailure) {
        // one request may be the cause, or a deadlock with another writer: each alone below
      }
    }
    if (changed == null) {
      changed = new ArrayList<>();
      for (GroupCommit.Entry<Op, Optional<JobView>> e : batch) {
        try {
          changed.addAll(ackOrComplete(List.of(e.input())));
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

  private List<JobView> ackOrComplete(List<Op> ops) {
    String space = ops.get(0).space();
    boolean oneSpace =
        routing.distributed()
            && space != null
            && ops.stream().allMatch(o -> space.equals(o.space()));
    JdbcClient.StatementSpec spec =
        jdbc.sql(oneSpace ? ACK_OR_COMPLETE_IN_SPACE : ACK_OR_COMPLETE)
            .param("deferFlush", durable.enabled())
            .param("ops", json.writeValueAsString(ops));
    if (oneSpace) {
      spec = spec.param("space", space);
    }
    return spec.query(JobRepository.JOB_MAPPER).list();
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
