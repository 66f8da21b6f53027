package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.maintenance.ScheduledJobPromoter;
import dev.spool.support.IntegrationTest;
import dev.spool.support.JobFactory;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The statements behave as {@link JobStatus}'s transition table says: every action that changes a
 * status is tried on a job in each of the seven states (inserted by the job factory) against
 * PostgreSQL, and what happened is compared with the table. A change the table forbids is refused
 * (409, job untouched); every change the table allows is made by some action.
 */
class TransitionTableIntegrationTests extends IntegrationTest {

  @Autowired ScheduledJobPromoter promoter;

  /**
   * An action, the status it moves a job to, the states it takes a job from (docs/api.md §5) and
   * the job options it needs.
   */
  record Action(
      String name,
      JobStatus target,
      Set<JobStatus> sources,
      Function<JobFactory.Job, JobFactory.Job> shape) {}

  record Outcome(Action action, JobStatus from, JobStatus to, int httpStatus, int eventsAdded) {}

  static final Set<JobStatus> IN_FLIGHT = EnumSet.of(JobStatus.DELIVERED, JobStatus.RUNNING);

  @Test
  void everyActionMakesExactlyTheChangesTheTableAllows() {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    List<Action> actions =
        List.of(
            new Action(
                "claim",
                JobStatus.DELIVERED,
                EnumSet.of(JobStatus.PENDING, JobStatus.SCHEDULED),
                j -> j),
            new Action("ack", JobStatus.RUNNING, EnumSet.of(JobStatus.DELIVERED), j -> j),
            new Action("complete", JobStatus.COMPLETED, IN_FLIGHT, j -> j),
            new Action("fail, attempts left", JobStatus.PENDING, IN_FLIGHT, j -> j.maxRetries(3)),
            new Action(
                "fail, attempts left after a backoff",
                JobStatus.SCHEDULED,
                IN_FLIGHT,
                j -> j.maxRetries(3).backoffSeconds(600)),
            new Action("fail, last attempt", JobStatus.DEAD, IN_FLIGHT, j -> j.maxRetries(0)),
            new Action(
                "kill",
                JobStatus.KILLED,
                EnumSet.of(
                    JobStatus.SCHEDULED, JobStatus.PENDING, JobStatus.DELIVERED, JobStatus.RUNNING),
                j -> j),
            new Action("promote", JobStatus.PENDING, EnumSet.of(JobStatus.SCHEDULED), j -> j));

    List<Outcome> outcomes = new ArrayList<>();
    for (Action action : actions) {
      for (JobStatus from : JobStatus.values()) {
        JobFactory.Job job = action.shape().apply(jobs.in(space).name("table").status(from));
        if (from == JobStatus.SCHEDULED
            && (action.name().equals("claim") || action.name().equals("promote"))) {
          job.availableAt(Instant.now().minusSeconds(1)); // due: what claim and promoter take
        }
        String id = job.insert();
        int eventsBefore = worker.eventTypes(id).size();
        int http =
            switch (action.name()) {
              case "claim" -> worker.claim(id).status();
              case "ack" -> worker.ack(id, null).status();
              case "complete" -> worker.complete(id, "{\"result\":1}", null).status();
              case "kill" -> worker.kill(id, null).status();
              case "promote" -> {
                promoter.runOnce();
                yield 0;
              }
              default -> worker.fail(id, "{\"error\":\"x\"}", null).status();
            };
        JobStatus to = JobStatus.fromWire(worker.status(id)).orElseThrow();
        outcomes.add(
            new Outcome(action, from, to, http, worker.eventTypes(id).size() - eventsBefore));
      }
    }

    Set<String> made = new LinkedHashSet<>();
    for (Outcome o : outcomes) {
      String what = o.action().name() + " on a " + o.from().wire() + " job";
      if (o.action().sources().contains(o.from())) {
        assertThat(o.to()).as(what).isEqualTo(o.action().target());
        assertThat(o.from().canMoveTo(o.to())).as(what + ": allowed by the table").isTrue();
        assertThat(o.httpStatus()).as(what).isIn(0, 200);
        assertThat(o.eventsAdded()).as(what + ": events added").isPositive();
        made.add(o.from().wire() + " -> " + o.to().wire());
      } else {
        assertThat(o.to()).as(what).isEqualTo(o.from());
        assertThat(o.httpStatus()).as(what).isIn(0, 409);
        assertThat(o.eventsAdded()).as(what + ": events added").isZero();
      }
    }
    // between them, the actions make every change the table allows, and no other
    Set<String> allowed = new LinkedHashSet<>();
    for (JobStatus from : JobStatus.values()) {
      for (JobStatus to : JobStatus.values()) {
        if (from.canMoveTo(to)) {
          allowed.add(from.wire() + " -> " + to.wire());
        }
      }
    }
    assertThat(made).containsExactlyInAnyOrderElementsOf(allowed);
  }
}
