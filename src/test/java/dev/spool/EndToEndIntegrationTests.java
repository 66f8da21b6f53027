package dev.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.callback.Receiver;
import dev.spool.realtime.WsClient;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Whole features together, driven only through the real endpoints a producer, a worker and a front
 * end use: create, poll, ack, worker events, logs, complete, fail, kill, reads, callbacks and both
 * WebSocket streams. No SQL shortcut moves a job here. Callbacks may reach 127.0.0.0/8 (the
 * receiver runs there) and retry fast, as in the webhook tests.
 */
@TestPropertySource(
    properties = {
      "spool.callbacks.allowed-cidrs=127.0.0.0/8",
      "spool.callbacks.retry-delays=100ms,200ms",
      "spool.callbacks.connect-timeout=1s",
      "spool.callbacks.response-timeout=1s",
      "spool.callbacks.poll-interval=200ms"
    })
class EndToEndIntegrationTests extends IntegrationTest {

  /**
   * As CallbackTest's: this class shares its context, and with it a dispatcher that may still be
   * working off the retries other test classes left in the shared database.
   */
  static final Duration WAIT = Duration.ofSeconds(20);

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  @Test
  void aJobFollowedOverItsStreamThroughTheRealWorkerApiSeesEveryStepThenClose1000()
      throws Exception {
    String id = api.createJob(space, "render");
    WsClient full = WsClient.open(jobStream(id) + "?token=" + space.key(), Map.of());
    WsClient progressOnly = WsClient.open(jobStream(id) + "?token=" + space.publicKey(), Map.of());
    for (WsClient ws : List.of(full, progressOnly)) {
      JsonNode init = frame(ws);
      assertThat(init.get("type").asString()).isEqualTo("init");
      assertThat(init.get("status").asString()).isEqualTo("pending");
    }

    String delivery = pollOne("render").get("deliveryId").asString();
    ok(worker.ack(id, delivery));
    ok(workerPost(id, "progress", "{\"percent\":40,\"message\":\"rendering\"}", delivery));
    ok(workerPost(id, "progress", "{\"percent\":90,\"message\":\"encoding\"}", delivery));
    ok(worker.complete(id, "{\"result\":{\"url\":\"https://example.test/out.mp4\"}}", delivery));

    List<JsonNode> frames = frames(full, 5);
    assertThat(frames)
        .extracting(f -> f.get("type").asString())
        .containsExactly("delivered", "acked", "progress", "progress", "completed");
    assertThat(frames)
        .extracting(f -> f.get("status").asString())
        .containsExactly("delivered", "running", "running", "running", "completed");
    assertThat(frames.get(2).get("data").get("percent").asInt()).isEqualTo(40);
    assertThat(frames.get(3).get("data").get("message").asString()).isEqualTo("encoding");
    assertThat(frames.get(4).get("data").get("result").get("url").asString())
        .isEqualTo("https://example.test/out.mp4");
    assertThat(full.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);

    List<JsonNode> visible = frames(progressOnly, 3);
    assertThat(visible)
        .extracting(f -> f.get("type").asString())
        .containsExactly("progress", "progress", "completed");
    assertThat(visible.get(0).get("data").get("percent").asInt()).isEqualTo(40);
    assertThat(visible.get(2).get("data").isNull()).isTrue();
    assertThat(progressOnly.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(progressOnly.frames).isEmpty();
  }

  @Test
  void aSpaceStreamSeesTheWholeLifecycleOfARealJobWithGapFreeSeqAndMovingCounts() throws Exception {
    WsClient ws =
        WsClient.open(
            "ws://127.0.0.1:"
                + port
                + "/api/v1/realtime/spaces/"
                + space.id()
                + "?token="
                + space.key(),
            Map.of());
    JsonNode connected = frame(ws);
    assertThat(connected.get("type").asString()).isEqualTo("connected");
    long seq = connected.get("seq").asLong();

    String id = api.createJob(space, "report");
    String delivery = pollOne("report").get("deliveryId").asString();
    ok(worker.ack(id, delivery));
    ok(workerPost(id, "progress", "{\"percent\":50,\"message\":\"half\"}", delivery));
    ok(worker.complete(id, "{\"result\":1}", delivery));

    List<JsonNode> frames = frames(ws, 5);
    assertThat(frames)
        .extracting(f -> f.get("seq").asLong())
        .containsExactly(seq + 1, seq + 2, seq + 3, seq + 4, seq + 5);
    assertThat(frames)
        .extracting(f -> f.get("type").asString())
        .containsExactly("created", "delivered", "acked", "progress", "completed");
    assertThat(frames).extracting(f -> f.get("jobId").asString()).containsOnly(id);
    assertThat(frames).extracting(f -> f.get("jobName").asString()).containsOnly("report");
    assertThat(counts(frames.get(0))).containsEntry("pending", 1L).containsEntry("delivered", 0L);
    assertThat(counts(frames.get(1))).containsEntry("pending", 0L).containsEntry("delivered", 1L);
    assertThat(counts(frames.get(2))).containsEntry("delivered", 0L).containsEntry("running", 1L);
    assertThat(frames.get(3).has("counts")).isFalse();
    assertThat(counts(frames.get(4))).containsEntry("running", 0L).containsEntry("completed", 1L);
    ws.close();
  }

  @Test
  void aCallbackArrivesOnceWithTheWorkersResultAfterTheRealComplete() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      String id =
          jobWithCallback("{\"name\":\"cb\",\"callbackUrl\":\"" + receiver.url("/done") + "\"}");
      String delivery = pollOne("cb").get("deliveryId").asString();
      ok(worker.ack(id, delivery));
      ok(worker.complete(id, "{\"result\":{\"rows\":3}}", delivery));

      JsonNode body = onlyCallback(receiver);
      assertThat(body.get("jobId").asString()).isEqualTo(id);
      assertThat(body.get("status").asString()).isEqualTo("completed");
      assertThat(body.get("result").get("rows").asInt()).isEqualTo(3);
    }
  }

  @Test
  void aCallbackArrivesOnceWithTheReasonAfterTheRealKill() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      String id =
          jobWithCallback("{\"name\":\"cb\",\"callbackUrl\":\"" + receiver.url("/done") + "\"}");
      String delivery = pollOne("cb").get("deliveryId").asString();
      ok(worker.ack(id, delivery));
      ok(worker.kill(id, "{\"reason\":\"operator said stop\"}"));
      assertThat(worker.complete(id, "{\"result\":1}", delivery).status()).isEqualTo(409);

      JsonNode body = onlyCallback(receiver);
      assertThat(body.get("status").asString()).isEqualTo("killed");
      assertThat(body.get("result").get("reason").asString()).isEqualTo("operator said stop");
    }
  }

  @Test
  void aCallbackArrivesOnceAsDeadAfterTheRealFailOfTheLastAttempt() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      String id =
          jobWithCallback(
              "{\"name\":\"cb\",\"maxRetries\":0,\"callbackUrl\":\""
                  + receiver.url("/done")
                  + "\"}");
      String delivery = pollOne("cb").get("deliveryId").asString();
      ok(worker.ack(id, delivery));
      Response failed = worker.fail(id, "{\"error\":\"disk full\"}", delivery);
      ok(failed);
      assertThat(failed.json().get("status").asString()).isEqualTo("dead");

      JsonNode body = onlyCallback(receiver);
      assertThat(body.get("status").asString()).isEqualTo("dead");
      assertThat(body.get("attemptNumber").asInt()).isZero();
      assertThat(body.get("result").get("error").asString()).isEqualTo("disk full");
    }
  }

  @Test
  void aCheckpointWrittenInTheFirstAttemptIsReadByTheWorkerOfTheRetry() {
    String id = api.createJobs(space, "{\"name\":\"crawl\",\"maxRetries\":1}").get(0);
    JsonNode first = pollOne("crawl");
    assertThat(first.get("attemptNumber").asInt()).isZero();
    String delivery = first.get("deliveryId").asString();
    ok(worker.ack(id, delivery));
    ok(workerPost(id, "checkpoint", "{\"page\":7}", delivery));
    Response failed = worker.fail(id, "{\"error\":\"timeout upstream\"}", delivery);
    ok(failed);
    assertThat(failed.json().get("status").asString()).isEqualTo("pending");

    JsonNode second = pollOne("crawl");
    assertThat(second.get("id").asString()).isEqualTo(id);
    assertThat(second.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(second.get("deliveryId").asString()).isNotEqualTo(delivery);

    JsonNode job = worker.job(id);
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("lastError").asString()).isEqualTo("timeout upstream");
    List<JsonNode> checkpoints = new ArrayList<>();
    job.get("events")
        .forEach(
            e -> {
              if (e.get("type").asString().equals("checkpoint")) {
                checkpoints.add(e);
              }
            });
    assertThat(checkpoints).hasSize(1);
    assertThat(checkpoints.get(0).get("data").get("page").asInt()).isEqualTo(7);
    assertThat(checkpoints.get(0).get("attemptNumber").asInt()).isZero();
  }

  @Test
  void logsOfARunningAttemptAndLateLogsAfterCompletionAreReadBackWithAfterAndLevel() {
    String id = api.createJob(space, "etl");
    String delivery = pollOne("etl").get("deliveryId").asString();
    ok(worker.ack(id, delivery));
    Response running =
        postLogs(
            id,
            delivery,
            "{\"level\":\"debug\",\"message\":\"connecting\"}\n"
                + "{\"level\":\"info\",\"message\":\"loaded 10 rows\",\"data\":{\"rows\":10}}\n"
                + "{\"level\":\"warn\",\"message\":\"slow upstream\"}\n");
    ok(running);
    assertThat(running.json().get("accepted").asInt()).isEqualTo(3);
    ok(worker.complete(id, "{\"result\":\"ok\"}", delivery));
    Response late =
        postLogs(id, delivery, "{\"level\":\"error\",\"message\":\"flush failed after finish\"}\n");
    ok(late);
    assertThat(late.json().get("accepted").asInt()).isEqualTo(1);

    JsonNode all = logs(id, "").get("logs");
    assertThat(all).extracting(l -> l.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(all).extracting(l -> l.get("attemptNumber").asInt()).containsOnly(0);
    assertThat(all.get(1).get("data").get("rows").asInt()).isEqualTo(10);

    JsonNode after = logs(id, "?after=2").get("logs");
    assertThat(after)
        .extracting(l -> l.get("message").asString())
        .containsExactly("slow upstream", "flush failed after finish");

    JsonNode warnings = logs(id, "?level=warn").get("logs");
    assertThat(warnings)
        .extracting(l -> l.get("level").asString())
        .containsExactly("warn", "error");

    JsonNode page = logs(id, "?after=1&level=info&limit=1");
    assertThat(page.get("logs")).extracting(l -> l.get("seq").asLong()).containsExactly(2L);
    assertThat(page.get("nextCursor").asLong()).isEqualTo(2L);
  }

  // --- helpers: real HTTP and WebSocket calls only ---

  String jobStream(String jobId) {
    return "ws://127.0.0.1:" + port + "/api/v1/realtime/" + jobId;
  }

  /** Polls for exactly one job of this name and returns its descriptor. */
  JsonNode pollOne(String name) {
    JsonNode jobs = worker.pollJobs("{\"name\":\"" + name + "\"}");
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  Response workerPost(String jobId, String action, String body, String deliveryId) {
    return worker.action(jobId, action, body, deliveryId);
  }

  Response postLogs(String jobId, String deliveryId, String ndjson) {
    return api.postBytes(
        "/api/v1/jobs/" + jobId + "/logs",
        space.key(),
        ndjson.getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/x-ndjson", "x-delivery-id", deliveryId));
  }

  JsonNode logs(String jobId, String query) {
    Response r = api.get("/api/v1/jobs/" + jobId + "/logs" + query, space.key());
    ok(r);
    return r.json();
  }

  String jobWithCallback(String body) {
    return api.createJobs(space, body).get(0);
  }

  /** The one callback the receiver gets; a quiet second afterwards proves there is no other. */
  JsonNode onlyCallback(Receiver receiver) throws InterruptedException {
    Receiver.Request request = receiver.next(WAIT);
    assertThat(request).as("callback within " + WAIT).isNotNull();
    Thread.sleep(1000);
    assertThat(receiver.all()).as("callbacks received").hasSize(1);
    return TestApi.JSON.readTree(request.body());
  }

  static void ok(Response r) {
    TestApi.require(r, 200);
  }

  static JsonNode frame(WsClient ws) throws InterruptedException {
    JsonNode f = ws.frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(f).as("a frame within " + WAIT).isNotNull();
    return f;
  }

  static List<JsonNode> frames(WsClient ws, int n) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(frame(ws));
    }
    return out;
  }

  static Map<String, Long> counts(JsonNode frame) {
    assertThat(frame.has("counts")).as("counts on " + frame).isTrue();
    Map<String, Long> out = new java.util.HashMap<>();
    frame.get("counts").properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
    return out;
  }
}
