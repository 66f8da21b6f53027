package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.maintenance.TimeoutRescuer;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Poll and claim with {@code "ack": true} (docs/api.md §4.2 "Ack on poll"). */
class AckOnPollIntegrationTests extends IntegrationTest {

  @Autowired TimeoutRescuer rescuer;

  TestSpace space;
  WorkerCalls worker;

  /** The waiting poll's own thread, not the common pool's single worker on 2 cores. */
  private final ExecutorService clients = Executors.newCachedThreadPool();

  @AfterEach
  void stopClients() {
    clients.shutdownNow();
  }

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  Long deadlineSecondsAfterStart(String id) {
    return jdbc.sql(
            "SELECT round(extract(epoch FROM deadline_at - started_at))::bigint"
                + " FROM jobs WHERE id = :id")
        .param("id", id)
        .query(Long.class)
        .single();
  }

  @Test
  void aPollWithAckHandsOutRunningJobsWithBothEventsAndTimestamps() {
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\",\"timeoutSeconds\":60},{\"name\":\"b\"}]");

    JsonNode jobs = worker.pollJobs("{\"count\":5,\"ack\":true}");

    assertThat(jobs).hasSize(2);
    JsonNode d = jobs.get(0);
    assertThat(d.propertyNames())
        .containsExactly(
            "id",
            "name",
            "payload",
            "timeoutSeconds",
            "maxRetries",
            "attemptNumber",
            "createdAt",
            "deliveryId",
            "status");
    assertThat(d.get("status").asString()).isEqualTo("running");
    String id = ids.get(0);
    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("running");
    assertThat(job.get("deliveredAt").isNull()).isFalse();
    assertThat(job.get("startedAt").asString()).isEqualTo(job.get("deliveredAt").asString());
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked");
    assertThat(job.get("events").get(1).get("data").get("deliveryId").asString())
        .isEqualTo(d.get("deliveryId").asString());
    assertThat(deadlineSecondsAfterStart(id)).isEqualTo(60);

    Response ack = worker.ack(id, d.get("deliveryId").asString());
    assertThat(ack.status()).isEqualTo(409);
    assertThat(ack.error()).isEqualTo("Job is not delivered (status: running)");
    assertThat(worker.complete(id, "{\"result\":1}", d.get("deliveryId").asString()).status())
        .isEqualTo(200);
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked", "completed");
  }

  @Test
  void withoutAckAPollAndAClaimAnswerAsBefore() {
    List<String> ids = api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"}]");

    JsonNode polled = worker.pollJobs("{\"ack\":false}").get(0);
    Response claimed = worker.claim(ids.get(1));

    assertThat(polled.has("status")).isFalse();
    assertThat(claimed.json().has("status")).isFalse();
    assertThat(worker.status(ids.get(0))).isEqualTo("delivered");
    assertThat(worker.status(ids.get(1))).isEqualTo("delivered");
  }

  @Test
  void aClaimWithAckStartsTheJob() {
    String id = api.createJob(space, "a");

    Response r = worker.action(id, "claim", "{\"ack\":true}", null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("running");
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked");
    assertThat(worker.job(id).get("startedAt").isNull()).isFalse();
  }

  @Test
  void aNonBooleanAckIsA400ThatClaimsNothing() {
    String id = api.createJob(space, "a");

    Response poll = worker.poll("{\"ack\":\"yes\"}");
    Response claim = worker.action(id, "claim", "{\"ack\":1}", null);

    assertThat(poll.status()).isEqualTo(400);
    assertThat(poll.error()).isEqualTo("ack must be a boolean");
    assertThat(claim.status()).isEqualTo(400);
    assertThat(claim.error()).isEqualTo("ack must be a boolean");
    assertThat(worker.status(id)).isEqualTo("pending");
  }

  @Test
  void aLongPollWithAckIsWokenWithARunningJob() throws Exception {
    CompletableFuture<Response> waiting =
        CompletableFuture.supplyAsync(
            () -> worker.poll("{\"waitSeconds\":10,\"ack\":true}"), clients);
    Thread.sleep(300);
    String id = api.createJob(space, "late");

    Response r = waiting.get(15, TimeUnit.SECONDS);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("jobs").get(0).get("id").asString()).isEqualTo(id);
    assertThat(r.json().get("jobs").get(0).get("status").asString()).isEqualTo("running");
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked");
  }

  @Test
  void theExecutionTimeoutAppliesToAJobAckedOnPoll() {
    String id = api.createJobs(space, "{\"name\":\"hang\",\"timeoutSeconds\":1}").get(0);
    worker.pollJobs("{\"ack\":true}");

    clock.advance(java.time.Duration.ofMillis(1_500));
    rescuer.runOnce();

    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("lastError").asString()).isEqualTo("Execution timed out after 1s");
    assertThat(worker.eventTypes(id))
        .containsExactly("created", "delivered", "acked", "timed_out", "retried");
  }
}
