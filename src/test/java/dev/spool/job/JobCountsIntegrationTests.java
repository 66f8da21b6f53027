package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.maintenance.RetentionReaper;
import dev.spool.maintenance.ScheduledJobPromoter;
import dev.spool.maintenance.TimeoutRescuer;
import dev.spool.support.CountsFolded;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Per-status counts are derived from the status changes the events record, plus the totals the
 * roll-up folded: after every kind of transition, before and after folding, they equal a count of
 * the jobs table.
 */
class JobCountsIntegrationTests extends IntegrationTest {

  @Autowired JobCounts counts;
  @Autowired ScheduledJobPromoter promoter;
  @Autowired TimeoutRescuer rescuer;
  @Autowired RetentionReaper reaper;

  @Test
  void countsEqualTheJobsTableAfterEveryKindOfTransitionFoldedOrNot() throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    List<String> ids =
        api.createJobs(
            space,
            "[{\"name\":\"a\",\"maxRetries\":1},{\"name\":\"a\",\"maxRetries\":0},"
                + "{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\",\"timeoutSeconds\":60},"
                + "{\"name\":\"a\",\"scheduledFor\":\"2999-01-01T00:00:00Z\"},"
                + "{\"name\":\"a\",\"scheduledFor\":\"2999-01-01T00:00:00Z\"}]");
    check(space);

    // claim, ack, complete from running and from delivered
    String d0 = worker.deliver(ids.get(0));
    check(space);
    String d2 = worker.start(ids.get(2));
    check(space);
    ok(worker.complete(ids.get(2), "{\"result\":1}", d2));
    String d3 = worker.deliver(ids.get(3));
    ok(worker.complete(ids.get(3), null, d3));
    check(space);

    // a fail with an attempt left (pending again), then the last attempt's fail (dead)
    ok(worker.fail(ids.get(0), "{\"error\":\"x\"}", d0));
    check(space);
    String again = worker.deliver(ids.get(0));
    ok(worker.fail(ids.get(0), "{\"error\":\"y\"}", again));
    check(space);

    // kill from pending and from scheduled
    ok(worker.kill(ids.get(1), null));
    ok(worker.kill(ids.get(5), null));
    check(space);

    // promoter: scheduled and due -> pending; rescuer: delivered past its deadline -> pending
    // (the maintenance loops may get there first: both are due as soon as they exist)
    Instant past = Instant.now().minusSeconds(1);
    String due = jobs.in(space).status(JobStatus.SCHEDULED).availableAt(past).insert();
    String late = jobs.in(space).status(JobStatus.DELIVERED).deadlineAt(past).insert();
    promoter.runOnce();
    rescuer.runOnce();
    assertThat(worker.status(due)).isEqualTo("pending");
    assertThat(worker.status(late)).isEqualTo("pending");
    check(space);

    // retention subtracts what it deletes
    jdbc.sql(
            "UPDATE jobs SET completed_at = now() - interval '30 days'"
                + " WHERE space_id = :s AND completed_at IS NOT NULL")
        .param("s", space.id())
        .update();
    CountsFolded.await(jdbc, counts);
    while (reaper.runOnce()) {
      // drain every batch
    }
    assertThat(counts.forSpace(space.id()).get("completed")).isZero();
    check(space);
  }

  /** The counts as read now, after a fold, and as counted from the jobs table all agree. */
  private void check(TestSpace space) {
    Map<String, Long> actual = new LinkedHashMap<>();
    for (JobStatus s : JobStatus.values()) {
      actual.put(s.wire(), 0L);
    }
    jdbc.sql("SELECT status, count(*) AS n FROM jobs WHERE space_id = :s GROUP BY status")
        .param("s", space.id())
        .query((rs, n) -> actual.put(rs.getString("status"), rs.getLong("n")))
        .list();
    assertThat(counts.forSpace(space.id())).isEqualTo(actual);
    CountsFolded.await(jdbc, counts);
    assertThat(counts.forSpace(space.id())).isEqualTo(actual);
    assertThat(counts.allSpaces().get(space.id())).isEqualTo(actual);
  }

  private static void ok(TestApi.Response r) {
    TestApi.require(r, 200);
  }
}
