package dev.spool.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.common.BackgroundLoop;
import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobCounts;
import dev.spool.job.JobStatements;
import dev.spool.support.CountsFolded;
import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestClock;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Scheduled jobs, retention, and every maintenance turn run by two instances at once. Time passes
 * by moving the test clock, never by sleeping or rewriting a job's timestamps.
 */
class MaintenanceIntegrationTests extends IntegrationTest {

  @Autowired ScheduledJobPromoter promoter;
  @Autowired TimeoutRescuer rescuer;
  @Autowired RetentionReaper reaper;

  @Autowired
  @Qualifier("retentionReaperLoop")
  BackgroundLoop reaperLoop;

  @Autowired SpaceRouting routing;
  @Autowired MaintenanceProperties properties;
  @Autowired RetentionProperties retention;
  @Autowired JobCounts counts;

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  String createScheduled(Instant due) {
    return api.createJobs(space, "{\"name\":\"s\",\"scheduledFor\":\"" + due + "\"}").get(0);
  }

  @Test
  void aScheduledJobIsPollableWhenDueAndNotBefore() {
    String id = createScheduled(Instant.now().plus(Duration.ofHours(1)));

    assertThat(worker.pollJobs("{}")).isEmpty();
    assertThat(worker.claim(id).error()).isEqualTo("Job is not pending (status: scheduled)");
    clock.advance(Duration.ofMinutes(61));
    // a waiting poll: the promoter may hold the now-due row for a moment, and a claim skips a
    // locked row (SKIP LOCKED); the promotion's notification wakes the poll
    JsonNode jobs = worker.pollJobs("{\"waitSeconds\":5}");

    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("id").asString()).isEqualTo(id);
  }

  @Test
  void thePromoterMakesDueScheduledJobsPendingOnce() {
    String id = createScheduled(Instant.now().plus(Duration.ofMinutes(10)));
    String future = createScheduled(Instant.now().plus(Duration.ofHours(1)));
    clock.advance(Duration.ofMinutes(11));

    promoter.runOnce();
    promoter.runOnce();

    assertThat(worker.status(id)).isEqualTo("pending");
    assertThat(worker.eventTypes(id)).containsExactly("scheduled", "promoted");
    assertThat(worker.status(future)).isEqualTo("scheduled");
  }

  @Test
  void killingAScheduledJobPreventsItsDelivery() {
    String id = createScheduled(Instant.now().plus(Duration.ofMinutes(10)));
    assertThat(worker.kill(id, "{\"reason\":\"cancelled\"}").status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(11));

    promoter.runOnce();

    assertThat(worker.pollJobs("{\"count\":10}")).isEmpty();
    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("killed");
    assertThat(job.get("result").get("reason").asString()).isEqualTo("cancelled");
  }

  @Test
  void retentionDeletesOldTerminalJobsWithTheirEventsAndKeepsTheRest() {
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]");
    String oldDone = ids.get(0), oldActive = ids.get(1), oldKilled = ids.get(2);
    worker.complete(oldDone, null, worker.claim(oldDone).json().get("deliveryId").asString());
    worker.kill(oldKilled, null);
    clock.advance(Duration.ofDays(8)); // past the 7-day retention for all three
    String youngKilled = api.createJob(space, "d");
    worker.kill(youngKilled, null);
    CountsFolded.await(jdbc, counts);

    reaper.runOnce();

    assertThat(api.get("/api/v1/jobs/" + oldDone, space.key()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/jobs/" + oldKilled, space.key()).status()).isEqualTo(404);
    assertThat(
            jdbc.sql("SELECT count(*) FROM job_events WHERE job_id IN (:a, :b)")
                .param("a", oldDone)
                .param("b", oldKilled)
                .query(Long.class)
                .single())
        .isZero();
    assertThat(worker.status(youngKilled)).isEqualTo("killed");
    assertThat(worker.status(oldActive)).isEqualTo("pending");
  }

  @Test
  void retentionDeletesInBoundedBatches() {
    RetentionReaper small =
        new RetentionReaper(
            jdbc,
            new MaintenanceProperties(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(1), 2),
            new RetentionProperties(Duration.ofDays(7)),
            TestClock.dbNowOf(clock),
            routing);
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"}]");
    ids.forEach(id -> worker.kill(id, null));
    // the application's own reaper would delete aged jobs between the counts below (seen once on
    // the cluster: 3 of this space's jobs gone in a turn of 2): it waits until the test is done
    reaperLoop.stop();
    boolean more;
    long deleted;
    long mineDeleted;
    try {
      clock.advance(Duration.ofDays(8));
      CountsFolded.await(jdbc, counts);

      // the moved clock ages every terminal job of the database, other tests' too: count them all
      long before = allJobs();
      long mineBefore = jobsOf(space);
      more = small.runOnce();
      deleted = before - allJobs();
      mineDeleted = mineBefore - jobsOf(space);
      while (reaper.runOnce()) {
        // full batches until this space's jobs, and any others expired, are gone
      }
    } finally {
      reaperLoop.start();
    }

    assertThat(more).isTrue();
    if (routing.distributed()) {
      // on Citus a turn runs one statement per space with work, each bounded by the batch
      assertThat(mineDeleted).isEqualTo(2L);
    } else {
      assertThat(deleted).isEqualTo(2L);
    }
    assertThat(
            jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
                .param("s", space.id())
                .query(Long.class)
                .single())
        .isZero();
  }

  long jobsOf(TestSpace s) {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
        .param("s", s.id())
        .query(Long.class)
        .single();
  }

  long allJobs() {
    return jdbc.sql("SELECT count(*) FROM jobs").query(Long.class).single();
  }

  /**
   * Jobs due for each kind of maintenance, and every maintenance turn of both instances (the second
   * one's services on its own connections, on the same moved clock) run at the same moment from
   * several threads: each job makes its transition exactly once.
   */
  @Test
  void twoInstancesRunningEveryMaintenanceTurnAtOnceAreSafe() throws Exception {
    int n = 60;
    String batch =
        "["
            + String.join(
                ",", java.util.Collections.nCopies(n, "{\"name\":\"m\",\"timeoutSeconds\":60}"))
            + "]";
    Instant inAnHour = Instant.now().plus(Duration.ofHours(1));
    List<String> toPromote =
        api.createJobs(space, batch.replace("}", ",\"scheduledFor\":\"" + inAnHour + "\"}"));
    List<String> unacked = api.createJobs(space, batch);
    assertThat(worker.pollJobs("{\"count\":50}")).hasSize(50);
    assertThat(worker.pollJobs("{\"count\":10}")).hasSize(10);
    List<String> running = api.createJobs(space, batch);
    for (JsonNode j : worker.pollJobs("{\"count\":50}")) {
      worker.ack(j.get("id").asString(), null);
    }
    for (JsonNode j : worker.pollJobs("{\"count\":10}")) {
      worker.ack(j.get("id").asString(), null);
    }
    List<String> expired = api.createJobs(space, batch);
    expired.forEach(id -> worker.kill(id, null));
    clock.advance(Duration.ofDays(8)); // promotion, both timeouts and retention are all due
    CountsFolded.await(jdbc, counts);

    JdbcClient otherJdbc = SecondInstance.shared().bean(JdbcClient.class);
    DbNow otherNow = TestClock.dbNowOf(clock);
    SpaceRouting otherRouting = SecondInstance.shared().bean(SpaceRouting.class);
    JobStatements otherStatements = SecondInstance.shared().bean(JobStatements.class);
    List<Callable<Boolean>> turns = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) {
      turns.add(promoter::runOnce);
      turns.add(rescuer::runOnce);
      turns.add(reaper::runOnce);
      turns.add(
          new ScheduledJobPromoter(otherJdbc, properties, otherNow, otherRouting, otherStatements)
              ::runOnce);
      turns.add(
          new TimeoutRescuer(otherJdbc, properties, otherNow, otherRouting, otherStatements)
              ::runOnce);
      turns.add(
          new RetentionReaper(otherJdbc, properties, retention, otherNow, otherRouting)::runOnce);
    }
    ExecutorService pool = Executors.newFixedThreadPool(turns.size());
    try {
      for (Future<Boolean> f : pool.invokeAll(turns)) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(countEvents("promoted")).isEqualTo(n);
    assertThat(countEvents("delivery_timeout")).isEqualTo(n);
    assertThat(countEvents("timed_out")).isEqualTo(n);
    assertThat(countEvents("retried")).isEqualTo(n);
    for (String id : toPromote) {
      assertThat(worker.status(id)).isEqualTo("pending");
    }
    for (String id : unacked) {
      assertThat(worker.job(id).get("attemptNumber").asInt()).isZero();
    }
    for (String id : running) {
      JsonNode job = worker.job(id);
      assertThat(job.get("status").asString()).isEqualTo("pending");
      assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    }
    for (String id : expired) {
      assertThat(api.get("/api/v1/jobs/" + id, space.key()).status()).isEqualTo(404);
    }
  }

  long countEvents(String type) {
    return jdbc.sql("SELECT count(*) FROM job_events WHERE space_id = :s AND type = :t")
        .param("s", space.id())
        .param("t", type)
        .query(Long.class)
        .single();
  }
}
