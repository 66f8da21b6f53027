package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class JobStreamIntegrationTests extends IntegrationTest {

  @Autowired RealtimeFeed feed;

  WorkerCalls worker;
  TestApi.TestSpace space;

  @BeforeEach
  void setUp() {
    worker = WorkerCalls.admin(api);
    space = api.newSpace();
  }

  String url(String jobId) {
    return "ws://127.0.0.1:" + port + "/api/v1/realtime/" + jobId;
  }

  @Test
  void aJobFollowedFromCreateToCompletionSeesInitProgressCompletedThenClose1000() throws Exception {
    String job = api.createJob(space, "render");
    WsClient ws = WsClient.open(url(job), Map.of("x-api-key", space.key()));

    JsonNode init = ws.next();
    assertThat(init.get("type").asString()).isEqualTo("init");
    assertThat(init.get("jobId").asString()).isEqualTo(job);
    assertThat(init.get("status").asString()).isEqualTo("pending");
    assertThat(init.get("data").get("progress").isNull()).isTrue();
    assertThat(init.get("timestamp").asString()).endsWith("Z");

    worker.start(job);
    worker.progress(job, 40, "rendering");
    worker.event(job, "frame_done", "{\"frame\":7}");
    worker.progress(job, 100, "done");
    worker.completeWith(job, "{\"url\":\"https://example.test/out.mp4\"}");

    List<JsonNode> frames = ws.next(6);
    assertThat(frames)
        .extracting(f -> f.get("type").asString())
        .containsExactly("delivered", "acked", "progress", "frame_done", "progress", "completed");
    assertThat(frames)
        .extracting(f -> f.get("status").asString())
        .containsExactly("delivered", "running", "running", "running", "running", "completed");
    assertThat(frames.get(2).get("data").get("percent").asInt()).isEqualTo(40);
    assertThat(frames.get(3).get("data").get("frame").asInt()).isEqualTo(7);
    assertThat(frames.get(5).get("data").get("result").get("url").asString())
        .isEqualTo("https://example.test/out.mp4");
    for (JsonNode f : frames) {
      assertThat(f.get("jobId").asString()).isEqualTo(job);
      assertThat(f.propertyNames()).containsExactly("type", "jobId", "status", "data", "timestamp");
    }
    assertThat(ws.closeCode()).isEqualTo(1000);
  }

  /**
   * The feed fetches a transaction some time after it committed; meanwhile a stream may open and
   * read the job's state, which already shows that transaction. Here the feed is held back (stuck
   * publishing another space's event, whose hub this test holds) while the job is created and its
   * stream reads {@code init}; the {@code created} event it then publishes is already in init.
   */
  @Test
  void anEventInitAlreadyShowedIsNotSentWhenTheFeedFetchesItLater() throws Exception {
    TestApi.TestSpace other = api.newSpace();
    SpaceHub stalled = feed.acquire(other.id());
    SpaceHub hub = feed.acquire(space.id());
    try {
      String job;
      WsClient ws;
      synchronized (stalled) {
        api.createJob(other, "ahead"); // the feed blocks on this one, before the next
        job = api.createJob(space, "render");
        ws = WsClient.open(url(job), Map.of("x-api-key", space.key()));
        JsonNode init = ws.next();
        assertThat(init.get("type").asString()).isEqualTo("init");
        assertThat(init.get("status").asString()).isEqualTo("pending");
      }
      worker.start(job);
      worker.completeWith(job, "1");
      assertThat(ws.next(3))
          .extracting(f -> f.get("type").asString())
          .containsExactly("delivered", "acked", "completed");
      assertThat(ws.closeCode()).isEqualTo(1000);
      assertThat(ws.frames).isEmpty();
    } finally {
      feed.release(hub);
      feed.release(stalled);
    }
  }

  @Test
  void aProgressOnlyTokenAndNoTokenSeeOnlyInitProgressAndADatalessCompleted() throws Exception {
    String job = api.createJob(space, "render");
    WsClient publicKey = WsClient.open(url(job) + "?token=" + space.publicKey(), Map.of());
    WsClient anonymous = WsClient.open(url(job), Map.of());
    for (WsClient ws : List.of(publicKey, anonymous)) {
      JsonNode init = ws.next();
      assertThat(init.get("type").asString()).isEqualTo("init");
      assertThat(init.get("data").propertyNames()).containsExactly("progress");
    }

    worker.start(job);
    worker.progress(job, 10, "warming up");
    worker.event(job, "secret_step", "{\"token\":\"do-not-leak\"}");
    worker.progress(job, 90, "almost");
    worker.completeWith(job, "{\"secret\":\"result\"}");

    for (WsClient ws : List.of(publicKey, anonymous)) {
      List<JsonNode> frames = ws.next(3);
      assertThat(frames)
          .extracting(f -> f.get("type").asString())
          .containsExactly("progress", "progress", "completed");
      assertThat(frames.get(1).get("data").get("message").asString()).isEqualTo("almost");
      assertThat(frames.get(2).get("data").isNull()).isTrue();
      assertThat(ws.closeCode()).isEqualTo(1000);
      assertThat(ws.frames).isEmpty();
    }
  }

  @Test
  void aJobAlreadyTerminalGetsInitThenClose1000() throws Exception {
    String job = api.createJob(space, "render");
    worker.start(job);
    worker.progress(job, 100, "done");
    worker.completeWith(job, "42");

    WsClient ws = WsClient.open(url(job), Map.of("Authorization", "Bearer " + space.key()));
    JsonNode init = ws.next();
    assertThat(init.get("status").asString()).isEqualTo("completed");
    assertThat(init.get("data").get("progress").get("percent").asInt()).isEqualTo(100);
    assertThat(init.get("data").get("result").asInt()).isEqualTo(42);
    assertThat(ws.closeCode()).isEqualTo(1000);
    assertThat(ws.frames).isEmpty();
  }

  @Test
  void aKilledJobEndsTheFullStreamWithItsKilledEvent() throws Exception {
    String job = api.createJob(space, "render");
    WsClient ws = WsClient.open(url(job), Map.of("x-api-key", space.key()));
    ws.next();
    worker.killNow(null, job);
    JsonNode killed = ws.next();
    assertThat(killed.get("type").asString()).isEqualTo("killed");
    assertThat(killed.get("status").asString()).isEqualTo("killed");
    assertThat(ws.closeCode()).isEqualTo(1000);
  }

  @Test
  void theUpgradeAnswersHttpStatusesBeforeTheSocketOpens() {
    String job = api.createJob(space, "render");
    TestApi.TestSpace other = api.newSpace();
    assertThat(WsClient.refusedStatus(url(job) + "?token=emit_unknown", Map.of())).isEqualTo(401);
    assertThat(WsClient.refusedStatus(url(job), Map.of("x-api-key", "emit_nope"))).isEqualTo(401);
    assertThat(WsClient.refusedStatus(url(job), Map.of("x-api-key", other.key()))).isEqualTo(403);
    assertThat(WsClient.refusedStatus(url(job) + "?token=" + other.publicKey(), Map.of()))
        .isEqualTo(403);
    String createOnly = api.newKey(space.id(), List.of("jobs:create"));
    assertThat(WsClient.refusedStatus(url(job), Map.of("x-api-key", createOnly))).isEqualTo(403);
    assertThat(WsClient.refusedStatus(url("01ARZ3NDEKTSV4RRFFQ69G5FAV"), Map.of())).isEqualTo(404);
    assertThat(WsClient.refusedStatus(url("not-a-job"), Map.of("x-api-key", space.key())))
        .isEqualTo(404);
  }

  @Test
  void aRevokedKeyIsRefusedWith401() throws Exception {
    String job = api.createJob(space, "render");
    TestApi.Response created =
        api.post(
            "/api/v1/spaces/" + space.id() + "/keys",
            api.adminKey(),
            "{\"name\":\"short-lived\",\"scopes\":[\"jobs:read\"]}");
    TestApi.require(created, 201);
    String key = created.json().get("key").asString();
    TestApi.require(
        api.delete("/api/v1/keys/" + created.json().get("id").asString(), api.adminKey()), 200);
    // the key cache forgets within spool.keys.cache-ttl (5 s); this instance at once
    assertThat(WsClient.refusedStatus(url(job), Map.of("x-api-key", key))).isEqualTo(401);
  }
}
