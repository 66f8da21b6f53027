package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.common.Ids;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The batch transitions of docs/api.md §4.2: every per-item outcome, in request order. */
class WorkerBatchIntegrationTests extends IntegrationTest {

  static final String BIG = "x".repeat(1024 * 1024 + 1);

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  String create(String json) {
    return api.createJobs(space, json).get(0);
  }

  static void assertDone(JsonNode result, String id, String status) {
    assertThat(result.propertyNames()).containsExactly("id", "status");
    assertThat(result.get("id").asString()).isEqualTo(id);
    assertThat(result.get("status").asString()).isEqualTo(status);
  }

  static void assertRefused(JsonNode result, String id, int http, String code, String error) {
    assertThat(result.propertyNames()).containsExactly("id", "error", "code", "httpStatus");
    assertThat(result.get("id").asString()).isEqualTo(id);
    assertThat(result.get("httpStatus").asInt()).isEqualTo(http);
    assertThat(result.get("code").asString()).isEqualTo(code);
    assertThat(result.get("error").asString()).isEqualTo(error);
  }

  @Test
  void aBatchCompleteJudgesEachItemLikeTheSingleCallAndAnswersInRequestOrder() {
    String delivered = create("{\"name\":\"a\"}");
    String running = create("{\"name\":\"b\"}");
    String pending = create("{\"name\":\"c\"}");
    String done = create("{\"name\":\"d\"}");
    String stale = create("{\"name\":\"e\"}");
    String tooBig = create("{\"name\":\"f\"}");
    worker.deliver(delivered);
    worker.start(running);
    worker.start(done);
    worker.complete(done);
    String current = worker.deliver(stale);
    worker.deliver(tooBig);
    TestSpace other = api.newSpace();
    String foreign = api.createJobs(other, "{\"name\":\"theirs\"}").get(0);
    new WorkerCalls(api, other).deliver(foreign);
    String unknown = Ids.next();

    JsonNode results =
        worker.batchResults(
            "complete",
            TestApi.JSON.writeValueAsString(
                Map.of(
                    "jobs",
                    List.of(
                        Map.of("id", running, "result", Map.of("n", 2)),
                        Map.of("id", foreign),
                        Map.of("id", pending),
                        Map.of("id", delivered, "result", "ok"),
                        Map.of("id", unknown),
                        Map.of("id", "not-a-ulid"),
                        Map.of("id", done),
                        Map.of("id", stale, "deliveryId", Ids.next()),
                        Map.of("id", tooBig, "result", BIG)))));

    assertThat(results).hasSize(9);
    assertDone(results.get(0), running, "completed");
    assertRefused(
        results.get(1), foreign, 403, "forbidden_space", "API key cannot access this space");
    assertRefused(
        results.get(2), pending, 409, "invalid_state", "Job is not running (status: pending)");
    assertDone(results.get(3), delivered, "completed");
    assertRefused(results.get(4), unknown, 404, "not_found", "Job not found");
    assertRefused(results.get(5), "not-a-ulid", 404, "not_found", "Job not found");
    assertRefused(results.get(6), done, 409, "job_completed", "Job is completed");
    assertThat(results.get(7).get("httpStatus").asInt()).isEqualTo(409);
    assertThat(results.get(7).get("code").asString()).isEqualTo("stale_delivery");
    assertThat(results.get(8).get("httpStatus").asInt()).isEqualTo(413);
    assertThat(results.get(8).get("error").asString()).startsWith("result is larger than");

    JsonNode job = worker.job(running);
    assertThat(job.get("result").get("n").asInt()).isEqualTo(2);
    assertThat(job.get("completedAt").isNull()).isFalse();
    assertThat(worker.eventTypes(running))
        .containsExactly("created", "delivered", "acked", "completed");
    job = worker.job(delivered);
    assertThat(job.get("result").asString()).isEqualTo("ok");
    assertThat(job.get("startedAt").isNull()).isFalse(); // an implicit ack, as for the single call
    assertThat(worker.eventTypes(delivered)).containsExactly("created", "delivered", "completed");
    assertThat(worker.status(pending)).isEqualTo("pending");
    assertThat(worker.status(stale)).isEqualTo("delivered");
    assertThat(worker.status(tooBig)).isEqualTo("delivered");
    assertThat(new WorkerCalls(api, other).status(foreign)).isEqualTo("delivered");
    assertThat(worker.complete(stale, null, current).status()).isEqualTo(200);
  }

  @Test
  void aBatchAckStartsDeliveredJobsAndStartsTheirExecutionTimeout() {
    String first = create("{\"name\":\"a\"}");
    String second = create("{\"name\":\"b\"}");
    String running = create("{\"name\":\"c\"}");
    String d1 = worker.deliver(first);
    worker.deliver(second);
    worker.start(running);

    JsonNode results =
        worker.batchResults(
            "ack",
            "{\"jobs\":[{\"id\":\""
                + second
                + "\"},{\"id\":\""
                + running
                + "\"},{\"id\":\""
                + first
                + "\",\"deliveryId\":\""
                + d1
                + "\"}]}");

    assertDone(results.get(0), second, "running");
    assertRefused(
        results.get(1), running, 409, "invalid_state", "Job is not delivered (status: running)");
    assertDone(results.get(2), first, "running");
    for (String id : List.of(first, second)) {
      assertThat(worker.job(id).get("startedAt").isNull()).isFalse();
      assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked");
      assertThat(
              jdbc.sql("SELECT deadline_at > now() FROM jobs WHERE id = :id")
                  .param("id", id)
                  .query(Boolean.class)
                  .single())
          .isTrue();
    }
    assertThat(worker.ack(first, null).error()).isEqualTo("Job is not delivered (status: running)");
  }

  @Test
  void aBatchFailRetriesOrEndsEachJobByItsOwnAttemptsAndRetryFlag() {
    String retried = create("{\"name\":\"a\",\"maxRetries\":2}");
    String noRetry = create("{\"name\":\"b\",\"maxRetries\":2}");
    String last = create("{\"name\":\"c\",\"maxRetries\":0}");
    String backoff = create("{\"name\":\"d\",\"maxRetries\":1,\"backoffSeconds\":60}");
    String pending = create("{\"name\":\"e\"}");
    String tooBig = create("{\"name\":\"f\"}");
    worker.start(retried);
    worker.deliver(noRetry);
    worker.start(last);
    worker.start(backoff);
    worker.start(tooBig);

    JsonNode results =
        worker.batchResults(
            "fail",
            TestApi.JSON.writeValueAsString(
                Map.of(
                    "jobs",
                    List.of(
                        Map.of("id", retried, "error", "disk full"),
                        Map.of("id", noRetry, "retry", false),
                        Map.of("id", last, "error", Map.of("message", "boom", "at", 3)),
                        Map.of("id", backoff),
                        Map.of("id", pending),
                        Map.of("id", tooBig, "error", BIG)))));

    assertDone(results.get(0), retried, "pending");
    assertDone(results.get(1), noRetry, "dead");
    assertDone(results.get(2), last, "dead");
    assertDone(results.get(3), backoff, "scheduled");
    assertRefused(
        results.get(4), pending, 409, "invalid_state", "Job is not running (status: pending)");
    assertThat(results.get(5).get("httpStatus").asInt()).isEqualTo(413);
    assertThat(results.get(5).get("error").asString()).startsWith("error is larger than");

    JsonNode job = worker.job(retried);
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("lastError").asString()).isEqualTo("disk full");
    assertThat(worker.eventTypes(retried)).endsWith("acked", "retried");
    job = worker.job(noRetry);
    assertThat(job.get("lastError").asString()).isEqualTo(WorkerController.DEFAULT_ERROR);
    assertThat(job.get("result").get("error").asString()).isEqualTo(WorkerController.DEFAULT_ERROR);
    assertThat(worker.eventTypes(noRetry)).endsWith("delivered", "dead");
    job = worker.job(last);
    assertThat(job.get("lastError").asString()).isEqualTo("boom");
    assertThat(job.get("result").get("error").get("at").asInt()).isEqualTo(3);
    assertThat(worker.job(backoff).get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(worker.status(tooBig)).isEqualTo("running");
  }

  @Test
  void theWholeRequestIsRefusedForAKeyOfAnotherSpaceAMissingScopeOrAnUnknownSpace() {
    String id = create("{\"name\":\"a\"}");
    worker.deliver(id);
    String body = "{\"jobs\":[{\"id\":\"" + id + "\"}]}";
    TestSpace other = api.newSpace();

    Response wrongSpace =
        api.post("/api/v1/spaces/" + other.id() + "/jobs/complete", space.key(), body);
    assertThat(wrongSpace.status()).isEqualTo(403);
    assertThat(wrongSpace.error()).isEqualTo("API key cannot access this space");
    String pollOnly = api.newKey(space.id(), List.of("jobs:poll"));
    for (String action : List.of("ack", "complete", "fail")) {
      Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs/" + action, pollOnly, body);
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.error()).isEqualTo("Missing required scope: jobs:" + action);
    }
    Response unknown =
        api.post("/api/v1/spaces/" + Ids.next() + "/jobs/complete", api.adminKey(), body);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).isEqualTo("Space not found");
    JsonNode adminOnOther =
        api.post("/api/v1/spaces/" + other.id() + "/jobs/complete", api.adminKey(), body).json();
    assertRefused(
        adminOnOther.get("results").get(0),
        id,
        403,
        "forbidden_space",
        "API key cannot access this space");
    assertThat(worker.status(id)).isEqualTo("delivered");
    JsonNode admin =
        api.post("/api/v1/spaces/" + space.id() + "/jobs/complete", api.adminKey(), body).json();
    assertDone(admin.get("results").get(0), id, "completed");
  }
}
