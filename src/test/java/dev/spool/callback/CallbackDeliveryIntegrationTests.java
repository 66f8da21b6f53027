package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.callback.Receiver.Reply;
import dev.spool.callback.Receiver.Request;
import dev.spool.job.JobStatus;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CallbackDeliveryIntegrationTests extends CallbackTest {

  @Test
  void aCompletedJobIsCalledBackWithTheContractsBodyAndHeaders() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      String id =
          jobs.in(space)
              .name("send-report")
              .status(JobStatus.COMPLETED)
              .result("{\"ok\": true, \"n\": 1.50}")
              .callback(
                  receiver.url("/hook"),
                  "{\"Authorization\":\"Bearer s3cret\",\"X-Trace\":\"abc\"}")
              .insert();

      Request request = receiver.next(WAIT);
      assertThat(request).isNotNull();
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/hook");
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.header("User-Agent")).matches("spool/\\d+\\.\\d+\\.\\d+\\S*");
      assertThat(request.header("Authorization")).isEqualTo("Bearer s3cret");
      assertThat(request.header("X-Trace")).isEqualTo("abc");
      assertThat(request.header("webhook-signature")).isNull(); // the space has no secret
      JsonNode body = TestApi.JSON.readTree(request.body());
      assertThat(body.propertyNames())
          .containsExactly(
              "jobId", "spaceId", "name", "status", "attemptNumber", "result", "timestamp");
      assertThat(body.get("jobId").asString()).isEqualTo(id);
      assertThat(body.get("spaceId").asString()).isEqualTo(space.id());
      assertThat(body.get("name").asString()).isEqualTo("send-report");
      assertThat(body.get("status").asString()).isEqualTo("completed");
      assertThat(body.get("attemptNumber").asInt()).isZero();
      assertThat(body.get("result").get("ok").asBoolean()).isTrue();
      assertThat(request.body()).contains("\"n\": 1.50"); // the stored result, byte for byte
      JsonNode job = api.get("/api/v1/jobs/" + id, space.key()).json();
      assertThat(body.get("timestamp").asString()).isEqualTo(job.get("completedAt").asString());

      JsonNode attempts = awaitAttempts(space, id, 1);
      JsonNode a = attempts.get(0);
      assertThat(a.propertyNames())
          .containsExactly(
              "webhookId",
              "url",
              "retryAttempt",
              "statusCode",
              "error",
              "responseBody",
              "willRetry",
              "createdAt");
      assertThat(a.get("webhookId").asString()).hasSize(26);
      assertThat(a.get("url").asString()).isEqualTo(receiver.url("/hook"));
      assertThat(a.get("retryAttempt").asInt()).isZero();
      assertThat(a.get("statusCode").asInt()).isEqualTo(200);
      assertThat(a.get("error").isNull()).isTrue();
      assertThat(a.get("willRetry").asBoolean()).isFalse();

      List<JsonNode> sent = events(space, id, "callback_sent", "callback_failed");
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0).get("type").asString()).isEqualTo("callback_sent");
      assertThat(sent.get(0).get("data").propertyNames())
          .containsExactly("url", "statusCode", "retryAttempt");
      assertThat(sent.get(0).get("data").get("statusCode").asInt()).isEqualTo(200);
      assertThat(status(space, id)).isEqualTo("completed");
      assertReceivedExactly(receiver, 1, Duration.ofMillis(500));
    }
  }

  @Test
  void a204CountsAsSuccess() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(Reply.of(204));
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("null", id);
      JsonNode a = awaitAttempts(space, id, 1).get(0);
      assertThat(a.get("statusCode").asInt()).isEqualTo(204);
      assertThat(a.get("willRetry").asBoolean()).isFalse();
      assertThat(events(space, id, "callback_sent")).hasSize(1);
      assertReceivedExactly(receiver, 1, Duration.ofMillis(800));
    }
  }

  @Test
  void a500ThenA200GivesOneCallbackFailedThenOneCallbackSent() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(new Reply(500, Map.of(), "x".repeat(3000), 0));
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("{\"done\":1}", id);

      JsonNode attempts = awaitAttempts(space, id, 2);
      assertThat(attempts).hasSize(2);
      assertThat(attempts.get(0).get("statusCode").asInt()).isEqualTo(500);
      assertThat(attempts.get(0).get("willRetry").asBoolean()).isTrue();
      assertThat(attempts.get(0).get("responseBody").asString()).hasSize(1024);
      assertThat(attempts.get(1).get("statusCode").asInt()).isEqualTo(200);
      assertThat(attempts.get(1).get("retryAttempt").asInt()).isEqualTo(1);
      assertThat(attempts.get(1).get("webhookId").asString())
          .isEqualTo(attempts.get(0).get("webhookId").asString());

      List<JsonNode> callbackEvents = events(space, id, "callback_sent", "callback_failed");
      assertThat(callbackEvents)
          .extracting(e -> e.get("type").asString())
          .containsExactly("callback_failed", "callback_sent");
      JsonNode failed = callbackEvents.get(0).get("data");
      assertThat(failed.propertyNames())
          .containsExactlyInAnyOrder(
              "url", "statusCode", "error", "responseBody", "retryAttempt", "willRetry");
      assertThat(failed.get("statusCode").asInt()).isEqualTo(500);
      assertThat(failed.get("responseBody").asString()).hasSize(1024);
      assertThat(failed.get("retryAttempt").asInt()).isZero();
      assertThat(failed.get("willRetry").asBoolean()).isTrue();
      assertThat(callbackEvents.get(1).get("data").get("retryAttempt").asInt()).isEqualTo(1);
      assertThat(status(space, id)).isEqualTo("completed");
      assertThat(receiver.all()).hasSize(2);
      assertThat(receiver.all().get(0).body()).isEqualTo(receiver.all().get(1).body());
    }
  }

  @Test
  void aReceiverThatKeepsFailingIsGivenUpOnAfterTheLastRetry() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(Reply.of(500), Reply.of(502), Reply.of(404), Reply.of(200));
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("null", id);

      JsonNode attempts = awaitAttempts(space, id, 3);
      assertThat(attempts)
          .extracting(a -> a.get("willRetry").asBoolean())
          .containsExactly(true, true, false);
      assertThat(attempts)
          .extracting(a -> a.get("error").asString())
          .containsExactly("HTTP 500", "HTTP 502", "HTTP 404");
      assertReceivedExactly(receiver, 3, Duration.ofMillis(1000));
      assertThat(status(space, id)).isEqualTo("completed");
    }
  }

  @Test
  void aHangingReceiverTimesOutAndIsRetried() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(new Reply(200, Map.of(), "", 5_000));
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/slow"), Map.of());
      long start = System.nanoTime();
      worker.claimAndComplete("null", id);

      JsonNode attempts = awaitAttempts(space, id, 2);
      assertThat(attempts.get(0).get("statusCode").isNull()).isTrue();
      assertThat(attempts.get(0).get("error").asString())
          .isEqualTo("Timed out waiting for the response");
      assertThat(attempts.get(0).get("willRetry").asBoolean()).isTrue();
      assertThat(attempts.get(1).get("statusCode").asInt()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aReceiverTricklingItsBodyIsCutOffAtTheAttemptDeadline() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(Reply.trickle());
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/trickle"), Map.of());
      long start = System.nanoTime();
      worker.claimAndComplete("null", id);

      JsonNode first = awaitAttempts(space, id, 1).get(0);
      // each byte comes sooner than the 1 s response timeout; only the 2 s deadline ends it
      assertThat(first.get("error").asString()).isEqualTo("Timed out after 2000 ms");
      assertThat(first.get("statusCode").isNull()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      Reply redirect = new Reply(302, Map.of("Location", receiver.url("/elsewhere")), "", 0);
      receiver.reply(redirect, redirect, redirect);
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("null", id);

      JsonNode attempts = awaitAttempts(space, id, 3);
      assertThat(attempts)
          .extracting(a -> a.get("statusCode").asInt())
          .containsExactly(302, 302, 302);
      assertReceivedExactly(receiver, 3, Duration.ofMillis(500));
      assertThat(receiver.all()).extracting(Request::path).containsOnly("/hook");
    }
  }

  @Test
  void retryAfterOnA503IsHonoured() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(new Reply(503, Map.of("Retry-After", "1"), "", 0));
      TestSpace space = api.newSpace();
      String id = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("null", id);
      awaitAttempts(space, id, 2);
      List<Request> requests = receiver.all();
      assertThat(Duration.between(requests.get(0).at(), requests.get(1).at()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void killedAndDeadJobsAreCalledBackWithTheirStatusAndResult() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      String killed = jobWithCallback(space, receiver.url("/k"), Map.of());
      worker.killNow("not needed", killed);
      String dead =
          jobs.in(space).status(JobStatus.DEAD).error("boom").callback(receiver.url("/d")).insert();
      awaitAttempts(space, killed, 1);
      awaitAttempts(space, dead, 1);
      Map<String, JsonNode> byPath = new java.util.HashMap<>();
      receiver.all().forEach(r -> byPath.put(r.path(), TestApi.JSON.readTree(r.body())));
      assertThat(byPath.get("/k").get("status").asString()).isEqualTo("killed");
      assertThat(byPath.get("/k").get("result").get("reason").asString()).isEqualTo("not needed");
      assertThat(byPath.get("/d").get("status").asString()).isEqualTo("dead");
      assertThat(byPath.get("/d").get("result").get("error").asString()).isEqualTo("boom");
    }
  }

  @Test
  void aJobWithoutCallbackUrlHasNoAttempts() throws Exception {
    TestSpace space = api.newSpace();
    String id = api.createJob(space, "quiet");
    worker.claimAndComplete("null", id);
    Thread.sleep(300);
    TestApi.Response r = api.get("/api/v1/jobs/" + id + "/callbacks", space.key());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().isArray()).isTrue();
    assertThat(r.json()).isEmpty();
    assertThat(
            jdbc.sql("SELECT count(*) FROM callback_deliveries WHERE job_id = :id")
                .param("id", id)
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void theCallbacksEndpointAnswers404And403LikeGetJob() {
    TestSpace space = api.newSpace();
    TestSpace other = api.newSpace();
    String id = api.createJob(space, "x");
    assertThat(api.get("/api/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/callbacks", space.key()).status())
        .isEqualTo(404);
    assertThat(api.get("/api/v1/jobs/not-an-id/callbacks", space.key()).status()).isEqualTo(404);
    TestApi.Response foreign = api.get("/api/v1/jobs/" + id + "/callbacks", other.key());
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.error()).isEqualTo("API key cannot access this space");
    String createOnly = api.newKey(space.id(), List.of("jobs:create"));
    TestApi.Response noScope = api.get("/api/v1/jobs/" + id + "/callbacks", createOnly);
    assertThat(noScope.status()).isEqualTo(403);
    assertThat(noScope.error()).isEqualTo("Missing required scope: jobs:read");
    assertThat(api.get("/api/v1/jobs/" + id + "/callbacks", api.adminKey()).status())
        .isEqualTo(200);
    assertThat(api.get("/api/v1/jobs/" + id + "/callbacks", null).status()).isEqualTo(401);
  }
}
