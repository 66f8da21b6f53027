package dev.spool.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.database.SpaceRouting;
import dev.spool.job.JobStatements;
import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestClock;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Delivery and execution timeouts, decided on {@code deadline_at} by the statements' now: the tests
 * move the clock past a deadline and run the rescuer's turn once, instead of sleeping.
 */
class TimeoutIntegrationTests extends IntegrationTest {

  @Autowired TimeoutRescuer rescuer;
  @Autowired MaintenanceProperties properties;

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  JsonNode pollOne() {
    JsonNode jobs = worker.pollJobs("{}");
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  /** Every job here has a one-second timeout: a little more is past its deadline. */
  void movePastDeadline() {
    clock.advance(Duration.ofMillis(1_500));
  }

  @Test
  void aDeliveredJobNotAckedInTimeReturnsToPendingWithTheSameAttempt() {
    String id = api.createJobs(space, "{\"name\":\"slow\",\"timeoutSeconds\":1}").get(0);
    String first = pollOne().get("deliveryId").asString();

    movePastDeadline();
    rescuer.runOnce();

    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("attemptNumber").asInt()).isZero();
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "delivery_timeout");
    assertThat(job.get("events").get(2).get("data").get("deliveryId").asString()).isEqualTo(first);
    Response lateAck = worker.ack(id, first);
    assertThat(lateAck.status()).isEqualTo(409);
    assertThat(lateAck.error())
        .isEqualTo("Delivery " + first + " is no longer current for this job");
    assertThat(worker.ack(id, null).error()).isEqualTo("Job is not delivered (status: pending)");
    JsonNode again = pollOne();
    assertThat(again.get("attemptNumber").asInt()).isZero();
    assertThat(again.get("deliveryId").asString()).isNotEqualTo(first);
    assertThat(worker.ack(id, first).status()).isEqualTo(409);
    assertThat(worker.ack(id, again.get("deliveryId").asString()).status()).isEqualTo(200);
  }

  @Test
  void aRunningJobPastItsTimeoutIsRetriedThenDeadAtMaxRetries() throws Exception {
    String id =
        api.createJobs(space, "{\"name\":\"hang\",\"timeoutSeconds\":1,\"maxRetries\":1}").get(0);
    String first = pollOne().get("deliveryId").asString();
    worker.ack(id, first);

    movePastDeadline();
    rescuer.runOnce();

    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("lastError").asString()).isEqualTo("Execution timed out after 1s");
    assertThat(worker.eventTypes(id)).endsWith("acked", "timed_out", "retried");

    String second = pollOne().get("deliveryId").asString();
    worker.ack(id, second);
    movePastDeadline();
    rescuer.runOnce();

    job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("dead");
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("result").get("error").asString()).isEqualTo("Execution timed out after 1s");
    assertThat(job.get("completedAt").isNull()).isFalse();
    assertThat(worker.eventTypes(id)).endsWith("acked", "timed_out", "dead");
  }

  @Test
  void aLateCompleteFromTheTimedOutWorkerIsAConflictAndChangesNothing() throws Exception {
    String id = api.createJobs(space, "{\"name\":\"late\",\"timeoutSeconds\":1}").get(0);
    String delivery = pollOne().get("deliveryId").asString();
    worker.ack(id, delivery);
    movePastDeadline();
    rescuer.runOnce();
    String before = worker.job(id).toString();

    Response late = worker.complete(id, "{\"result\":\"too late\"}", delivery);

    assertThat(late.status()).isEqualTo(409);
    assertThat(worker.job(id).toString()).isEqualTo(before);
  }

  @Test
  void aJobWhoseDeadlineWasPushedBackIsNotTimedOut() {
    String id = api.createJobs(space, "{\"name\":\"alive\",\"timeoutSeconds\":10}").get(0);
    String delivery = pollOne().get("deliveryId").asString();
    worker.ack(id, delivery);
    clock.advance(Duration.ofSeconds(8));
    assertThat(worker.action(id, "keepalive", null, delivery).status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(8)); // past the first deadline, not the pushed-back one

    rescuer.runOnce();

    assertThat(worker.status(id)).isEqualTo("running");
    clock.advance(Duration.ofSeconds(3));
    rescuer.runOnce();
    assertThat(worker.status(id)).isEqualTo("pending");
  }

  /**
   * Deadlines spread over a minute of the test clock, which a thread moves forward while three
   * rescuers (one on the second instance's connections) and three completers run: every job ends
   * either completed (and only that) or rescued (and never completed).
   */
  @Test
  void theRescuerRacingCompleteNeverLeavesACompletedJobInAnotherState() throws Exception {
    TimeoutRescuer otherRescuer =
        new TimeoutRescuer(
            SecondInstance.shared().bean(JdbcClient.class),
            properties,
            TestClock.dbNowOf(clock),
            SecondInstance.shared().bean(SpaceRouting.class),
            SecondInstance.shared().bean(JobStatements.class));
    ExecutorService pool = Executors.newFixedThreadPool(7);
    try {
      for (int round = 0; round < 8; round++) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
          batch
              .append(i == 0 ? "" : ",")
              .append("{\"name\":\"race\",\"timeoutSeconds\":")
              .append(60 + 2 * i)
              .append("}");
        }
        List<String> ids = api.createJobs(space, batch.append("]").toString());
        Map<String, String> deliveries = new ConcurrentHashMap<>();
        for (JsonNode j : worker.pollJobs("{\"count\":30}")) {
          deliveries.put(j.get("id").asString(), j.get("deliveryId").asString());
        }
        assertThat(deliveries).hasSize(30);
        // half are acked (execution timeout), half stay delivered (delivery timeout)
        for (int i = 0; i < 30; i += 2) {
          worker.ack(ids.get(i), deliveries.get(ids.get(i)));
        }
        clock.advance(Duration.ofSeconds(59)); // the first deadline is a second away

        AtomicBoolean racing = new AtomicBoolean(true);
        List<Future<?>> rescuers = new ArrayList<>();
        for (TimeoutRescuer r : List.of(rescuer, otherRescuer, rescuer)) {
          rescuers.add(
              pool.submit(
                  () -> {
                    while (racing.get()) {
                      r.runOnce();
                    }
                    return null;
                  }));
        }
        rescuers.add(
            pool.submit(
                () -> {
                  // one deadline passes every step, while the completers work
                  for (int step = 0; step < 62 && racing.get(); step++) {
                    clock.advance(Duration.ofSeconds(1));
                    Thread.sleep(2);
                  }
                  return null;
                }));
        Map<String, Integer> outcome = new ConcurrentHashMap<>();
        List<Future<?>> completers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          int offset = t;
          completers.add(
              pool.submit(
                  () -> {
                    for (int i = offset; i < ids.size(); i += 3) {
                      String id = ids.get(i);
                      outcome.put(
                          id,
                          worker
                              .complete(id, "{\"result\":\"done\"}", deliveries.get(id))
                              .status());
                    }
                    return null;
                  }));
        }
        for (Future<?> f : completers) {
          f.get(60, TimeUnit.SECONDS);
        }
        racing.set(false);
        for (Future<?> f : rescuers) {
          f.get(60, TimeUnit.SECONDS);
        }
        clock.advance(Duration.ofMinutes(5)); // every deadline of this round is past
        rescuer.runOnce();

        for (String id : ids) {
          JsonNode job = worker.job(id);
          List<String> types = new ArrayList<>();
          job.get("events").forEach(e -> types.add(e.get("type").asString()));
          if (outcome.get(id) == 200) {
            assertThat(job.get("status").asString()).as(id).isEqualTo("completed");
            assertThat(job.get("result").asString()).isEqualTo("done");
            assertThat(types.get(types.size() - 1)).isEqualTo("completed");
            assertThat(types).doesNotContain("timed_out", "delivery_timeout", "retried");
          } else {
            assertThat(outcome.get(id)).isEqualTo(409);
            assertThat(job.get("status").asString()).as(id).isEqualTo("pending");
            assertThat(types).doesNotContain("completed");
            assertThat(types).containsAnyOf("timed_out", "delivery_timeout");
          }
        }
        for (String id : ids) {
          if (outcome.get(id) != 200) {
            assertThat(worker.kill(id, null).status()).isEqualTo(200);
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
