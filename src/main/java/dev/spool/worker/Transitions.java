package dev.spool.worker;

import dev.spool.common.DbNow;
import dev.spool.database.DurableCommits;
import dev.spool.database.GroupCommit;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobRepository;
import dev.spool.job.JobStatements;
import dev.spool.job.JobView;
import dev.spool.job.TransitionSql;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the worker's state changes after delivery ({@link TransitionSql}: one guarded statement
 * each) and makes them durable: acks and completes of concurrent requests are written together by
 * one statement ({@link GroupCommit}), fail and kill one statement each. An empty result means the
 * precondition failed and {@link dev.spool.job.JobGuard} explains why.
 */
@Component
class Transitions {

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

  private final DurableCommits durable;
  private final DbNow now;
  private final JsonMapper json = JsonMapper.builder().build();
  private final GroupCommit<Op, Optional<JobView>> group;

  private final SpaceRouting routing;
  private final JobStatements statements;

  Transitions(
      DurableCommits durable,
      DbNow now,
      MeterRegistry registry,
      SpaceRouting routing,
      JobStatements statements) {
    this.routing = routing;
    this.statements = statements;
    this.durable = durable;
    this.now = now;
    this.group =
        new GroupCommit<>(IN_FLIGHT, MAX_BATCH, Transitions::weight, Op::id, this::write)
            .measured(registry, "transitions");
  }

  /** Who asks: the caller's space (null for admin) and the delivery it claims to hold (or null). */
  record Guard(String space, String delivery) {}

  /** One request: a row of {@link TransitionSql#ACK_OR_COMPLETE}'s {@code ops}. */
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

  /**
   * Runs {@link TransitionSql#ACK_OR_COMPLETE} for requests of any spaces; its flush is deferred
   * when enabled, and the caller flushes before answering. On one PostgreSQL it is one autocommit
   * statement that defers its own flush ({@code :deferFlush}); on Citus a transaction of {@link
   * JobStatements} whose flush is deferred on the coordinator (the statement itself runs on a
   * worker, where the flush must not be skipped), and requests of one space go to its worker alone.
   */
  List<JobView> ackOrComplete(List<Op> ops) {
    String space = ops.get(0).space();
    boolean citus = routing.distributed();
    boolean oneSpace =
        citus && space != null && ops.stream().allMatch(o -> space.equals(o.space()));
    String opsJson = json.writeValueAsString(ops);
    UnaryOperator<JdbcClient.StatementSpec> bind =
        s -> {
          s = now.bind(s).param("deferFlush", durable.enabled() && !citus).param("ops", opsJson);
          return oneSpace ? s.param("space", space) : s;
        };
    String sql = oneSpace ? TransitionSql.ACK_OR_COMPLETE_IN_SPACE : TransitionSql.ACK_OR_COMPLETE;
    if (!citus) {
      return statements.list(sql, bind, JobRepository.JOB_MAPPER);
    }
    return durable.deferred(() -> statements.list(sql, bind, JobRepository.JOB_MAPPER));
  }

  /**
   * @param errorJson the error as JSON text (a string or an object)
   * @param lastError the same error as the job's {@code lastError} text
   * @param retry false to skip remaining attempts
   */
  Optional<JobView> fail(
      String id, Guard guard, String errorJson, String lastError, boolean retry) {
    return one(
        TransitionSql.FAIL_IF_IN_FLIGHT,
        s ->
            guarded(s, id, guard)
                .param("error", errorJson)
                .param("lastError", lastError)
                .param("retry", retry));
  }

  Optional<JobView> kill(String id, Guard guard, String reason) {
    return one(TransitionSql.KILL_IF_ACTIVE, s -> guarded(s, id, guard).param("reason", reason));
  }

  /** Runs a statement on one job through {@link JobStatements}, durably. */
  private Optional<JobView> one(String sql, UnaryOperator<JdbcClient.StatementSpec> bind) {
    return durable.write(() -> statements.list(sql, bind, JobRepository.JOB_MAPPER)).stream()
        .findFirst();
  }

  private JdbcClient.StatementSpec guarded(JdbcClient.StatementSpec spec, String id, Guard guard) {
    return now.bind(spec)
        .param("id", id)
        .param("space", guard.space(), Types.VARCHAR)
        .param("delivery", guard.delivery(), Types.VARCHAR);
  }
}
