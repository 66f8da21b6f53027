package dev.spool.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spool.common.DbNow;
import dev.spool.common.Ids;
import dev.spool.database.DurableCommits;
import dev.spool.job.JobGuard;
import dev.spool.job.JobRepository;
import dev.spool.job.JobStatements;
import dev.spool.job.JobView;
import dev.spool.job.TransitionSql;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The batch transitions (docs/api.md §4.2): ack, complete or fail up to 1,000 jobs of one space in
 * one request. Each item is judged as its single call would be — the same guarded statements, so
 * the same source states, space and delivery fencing, events, callbacks and realtime frames (those
 * follow from the rows and events written) — but all items are written by one set-based statement
 * ({@link TransitionSql}) and made durable by one flush, and the items that matched nothing are
 * explained by one query.
 *
 * <p>The guard's space is always the path's, also for an admin key: a batch acts on one space, and
 * a job of another is that item's 403.
 */
@Component
class BatchTransitions {

  /** A deadlock with another writer aborts the whole statement, which is then safe to rerun. */
  static final int ATTEMPTS = 3;

  /** One item's outcome: {@code id, status} or {@code id, error, code, httpStatus}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Outcome(String id, String status, String error, String code, Integer httpStatus) {
    static Outcome of(String id, ApiException e) {
      return new Outcome(id, null, e.getMessage(), e.code(), e.status().value());
    }
  }

  /** The answer: {@code {"results": [...]}} in request order. */
  record Answer(List<Outcome> results) {}

  /** A row of {@link TransitionSql#FAIL_MANY}'s {@code ops}. */
  record FailOp(String id, String delivery, String error, String lastError, boolean retry) {}

  private final DurableCommits durable;
  private final JobGuard guard;
  private final JsonBodies bodies;
  private final DbNow now;
  private final Transitions transitions;
  private final JobStatements statements;
  private final JsonMapper json = JsonMapper.builder().build();

  BatchTransitions(
      DurableCommits durable,
      JobGuard guard,
      JsonBodies bodies,
      DbNow now,
      Transitions transitions,
      JobStatements statements) {
    this.statements = statements;
    this.transitions = transitions;
    this.now = now;
    this.durable = durable;
    this.guard = guard;
    this.bodies = bodies;
  }

  /** Acks (delivered → running) or completes (delivered or running → completed) every item. */
  Answer ackOrComplete(String space, BatchRequest batch, boolean complete) {
    Map<String, ApiException> refused = new HashMap<>();
    List<Transitions.Op> ops = new ArrayList<>();
    for (BatchRequest.Item item : batch.items()) {
      String result = null;
      try {
        if (item.result() != null) {
          result = bodies.writeDocument(item.result(), "result");
        }
      } catch (ApiException tooLarge) {
        refused.put(item.id(), tooLarge);
        continue;
      }
      if (!Ids.isValid(item.id())) {
        refused.put(item.id(), ApiException.notFound("Job"));
        continue;
      }
      String kind = complete ? "complete" : "ack";
      ops.add(new Transitions.Op(kind, item.id(), space, item.deliveryId(), result));
    }
    Map<String, String> changed = new HashMap<>();
    if (!ops.isEmpty()) {
      List<JobView> rows = retrying(() -> transitions.ackOrComplete(ops));
      if (!rows.isEmpty()) {
        durable.flush(); // one flush for the whole batch, before any 2xx
      }
      rows.forEach(v -> changed.put(v.id(), v.status()));
    }
    return answer(space, batch, refused, changed, complete ? "running" : "delivered");
  }

  /** Fails every item: retried (pending or scheduled) while attempts are left, else dead. */
  Answer fail(String space, BatchRequest batch) {
    Map<String, ApiException> refused = new HashMap<>();
    List<FailOp> ops = new ArrayList<>();
    for (BatchRequest.Item item : batch.items()) {
      FailureText failure;
      try {
        failure = FailureText.of(item.error(), bodies);
      } catch (ApiException tooLarge) {
        refused.put(item.id(), tooLarge);
        continue;
      }
      if (!Ids.isValid(item.id())) {
        refused.put(item.id(), ApiException.notFound("Job"));
        continue;
      }
      ops.add(
          new FailOp(
              item.id(),
              item.deliveryId(),
              failure.errorJson(),
              failure.lastError(),
              item.retry()));
    }
    Map<String, String> changed = new HashMap<>();
    if (!ops.isEmpty()) {
      String opsJson = json.writeValueAsString(ops);
      List<JobView> rows =
          retrying(
              () ->
                  durable.write(
                      () ->
                          statements.list(
                              TransitionSql.FAIL_MANY,
                              s -> now.bind(s).param("space", space).param("ops", opsJson),
                              JobRepository.JOB_MAPPER)));
      rows.forEach(v -> changed.put(v.id(), v.status()));
    }
    return answer(space, batch, refused, changed, "running");
  }

  /** Every item's outcome in request order; the misses explained by one query. */
  private Answer answer(
      String space,
      BatchRequest batch,
      Map<String, ApiException> refused,
      Map<String, String> changed,
      String expected) {
    Map<String, JobGuard.Miss> misses = new LinkedHashMap<>();
    for (BatchRequest.Item item : batch.items()) {
      if (!refused.containsKey(item.id()) && !changed.containsKey(item.id())) {
        misses.put(item.id(), new JobGuard.Miss(item.id(), item.deliveryId()));
      }
    }
    Map<String, ApiException> explained =
        misses.isEmpty()
            ? Map.of()
            : guard.explainAll(
                space, misses.values(), json.writeValueAsString(misses.keySet()), expected);
    List<Outcome> results = new ArrayList<>(batch.items().size());
    for (BatchRequest.Item item : batch.items()) {
      String status = changed.get(item.id());
      if (status != null) {
        results.add(new Outcome(item.id(), status, null, null, null));
      } else {
        ApiException e = refused.getOrDefault(item.id(), explained.get(item.id()));
        results.add(Outcome.of(item.id(), e));
      }
    }
    return new Answer(results);
  }

  private static <T> T retrying(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (PessimisticLockingFailureException deadlock) {
        if (attempt >= ATTEMPTS) {
          throw deadlock;
        }
      }
    }
  }
}
