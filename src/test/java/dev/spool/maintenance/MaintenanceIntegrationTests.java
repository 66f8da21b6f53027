package dev.spool.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobCounts;
import dev.spool.support.CountsFolded;
import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi.TestSpace;
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
import tools.jackson.databind.JsonNode;

/** Scheduled jobs, retention, and every maintenance turn run by two instances at once. */
class MaintenanceIntegrationTests extends IntegrationTest {

  @Autowired ScheduledJobPromoter promoter;
  @Autowired TimeoutRescuer rescuer;
  @Autowired RetentionReaper reaper;
  @Autowired MaintenanceProperties properties;
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
  void aScheduledJobIsPollableWhenDueAndNotBefore() throws Exception {
    Instant due = Instant.now().plusMillis(1200);
    String id = createScheduled(due);

    assertThat(worker.pollJobs("{}")).isEmpty();
    assertThat(worker.claim(id).error()).isEqualTo("Job is not pending (status: scheduled)");
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), due).toMillis() + 100));
    JsonNode jobs = worker.pollJobs("{}");

    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("id").asString()).isEqualTo(id);
  }

  @Test
  void thePromoterMakesDueScheduledJobsPendingOnce() throws Exception {
    String id = createScheduled(Instant.now().plusMillis(500));
    String future = createScheduled(Instant.now().plusSeconds(3600));
    Thread.sleep(700);

    promoter.runOnce();
    promoter.runOnce();

    assertThat(worker.status(id)).isEqualTo("pending");
    assertThat(worker.eventTypes(id)).containsExactly("scheduled", "promoted");
    assertThat(worker.status(future)).isEqualTo("scheduled");
  }

  @Test
  void killingAScheduledJobPreventsItsDelivery() throws Exception {
    String id = createScheduled(Instant.now().plusMillis(500));
    assertThat(worker.kill(id, "{\"reason\":\"cancelled\"}").status()).isEqualTo(200);
    Thread.sleep(700);

    promoter.runOnce();

    assertThat(worker.pollJobs("{\"count\":10}")).isEmpty();
    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("killed");
    assertThat(job.get("result").get("reason").asString()).isEqualTo("cancelled");
  }

  @Test
  void retentionDeletesOldTerminalJobsWithTheirEventsAndKeepsTheRest() {
    List<String> ids =
        api.createJobs(
            space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"}]");
    String oldDone = ids.get(0),
        youngKilled = ids.get(1),
        oldActive = ids.get(2),
        oldKilled = ids.get(3);
    worker.complete(oldDone, null, worker.claim(oldDone).json().get("deliveryId").asString());
    worker.kill(youngKilled, null);
    worker.kill(oldKilled, null);
    jdbc.sql("UPDATE jobs SET completed_at = now() - interval '8 days' WHERE id IN (:a, :b)")
        .param("a", oldDone)
        .param("b", oldKilled)
        .update();
    jdbc.sql("UPDATE jobs SET created_at = now() - interval '30 days' WHERE id = :id")
        .param("id", oldActive)
        .update();
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
            new RetentionProperties(Duration.ofDays(7)));
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"}]");
    ids.forEach(id -> worker.kill(id, null));
    jdbc.sql("UPDATE jobs SET completed_at = now() - interval '8 days' WHERE space_id = :s")
        .param("s", space.id())
        .update();
    CountsFolded.await(jdbc, counts);

    boolean more = small.runOnce();
    long left =
        jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
            .param("s", space.id())
            .query(Long.class)
            .single();
    small.runOnce();

    assertThat(more).isTrue();
    assertThat(left).isLessThanOrEqualTo(1L);
    assertThat(
            jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
                .param("s", space.id())
                .query(Long.class)
                .single())
        .isZero();
  }

  /**
   * Jobs due for each kind of maintenance, and every maintenance turn of both instances run at the
   * same moment from several threads: each job makes its transition exactly once.
   */
  @Test
  void twoInstancesRunningEveryMaintenanceTurnAtOnceAreSafe() throws Exception {
    int n = 60;
    SecondInstance other = SecondInstance.shared();
    String batch =
        "["
            + String.join(
                ",", java.util.Collections.nCopies(n, "{\"name\":\"m\",\"timeoutSeconds\":60}"))
            + "]";
    List<String> toPromote =
        api.createJobs(space, batch.replace("}", ",\"scheduledFor\":\"2999-01-01T00:00:00Z\"}"));
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
    jdbc.sql("UPDATE jobs SET available_at = now() WHERE space_id = :s AND status = 'scheduled'")
        .param("s", space.id())
        .update();
    jdbc.sql(
            "UPDATE jobs SET deadline_at = now() WHERE space_id = :s AND status IN ('delivered', 'running')")
        .param("s", space.id())
        .update();
    jdbc.sql(
            "UPDATE jobs SET completed_at = now() - interval '8 days' WHERE space_id = :s AND status = 'killed'")
        .param("s", space.id())
        .update();
    CountsFolded.await(jdbc, counts);

    List<Callable<Boolean>> turns = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) {
      turns.add(promoter::runOnce);
      turns.add(rescuer::runOnce);
      turns.add(reaper::runOnce);
      turns.add(other.bean(ScheduledJobPromoter.class)::runOnce);
      turns.add(other.bean(TimeoutRescuer.class)::runOnce);
      turns.add(other.bean(RetentionReaper.class)::runOnce);
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
