package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

class SpaceStreamIntegrationTests extends IntegrationTest {

  WorkerCalls worker;
  TestApi.TestSpace space;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  String url(String query) {
    return "ws://127.0.0.1:"
        + port
        + "/api/v1/realtime/spaces/"
        + space.id()
        + "?token="
        + space.key()
        + query;
  }

  @Test
  void aSpaceStreamSendsConnectedThenEveryEventWithJobNameSeqAndChangedCounts() throws Exception {
    String first = api.createJob(space, "existing");
    WsClient ws = WsClient.open(url(""), Map.of());
    JsonNode connected = ws.next();
    assertThat(connected.get("type").asString()).isEqualTo("connected");
    assertThat(connected.get("missed").asBoolean()).isFalse();
    assertThat(connected.get("streamInstanceId").asString()).hasSize(26);
    assertThat(connected.get("counts").get("pending").asLong()).isEqualTo(1);
    assertThat(connected.get("counts").get("running").asLong()).isZero();
    long seq = connected.get("seq").asLong();

    List<String> batch = api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"}]");
    worker.start(first);
    worker.progress(first, 50, "half");

    List<JsonNode> frames = ws.next(5);
    assertThat(frames)
        .extracting(f -> f.get("seq").asLong())
        .containsExactly(seq + 1, seq + 2, seq + 3, seq + 4, seq + 5);
    assertThat(frames)
        .extracting(f -> f.get("type").asString())
        .containsExactly("created", "created", "delivered", "acked", "progress");
    assertThat(frames)
        .extracting(f -> f.get("jobId").asString())
        .containsExactly(batch.get(0), batch.get(1), first, first, first);
    assertThat(frames.get(0).get("jobName").asString()).isEqualTo("a");
    // a transaction's count change rides on its last event; events that change nothing carry none
    assertThat(frames.get(0).has("counts")).isFalse();
    assertThat(frames.get(1).get("counts").get("pending").asLong()).isEqualTo(3);
    assertThat(frames.get(2).get("counts").get("pending").asLong()).isEqualTo(2);
    assertThat(frames.get(2).get("counts").get("delivered").asLong()).isEqualTo(1);
    assertThat(frames.get(3).get("counts").get("delivered").asLong()).isZero();
    assertThat(frames.get(3).get("counts").get("running").asLong()).isEqualTo(1);
    assertThat(frames.get(4).has("counts")).isFalse();
    assertThat(frames.get(4).get("data").get("percent").asInt()).isEqualTo(50);
    ws.close();
  }

  @Test
  void aReconnectThatCanBeContinuedGetsMissedFalseAndTheFramesItMissed() throws Exception {
    WsClient ws = WsClient.open(url(""), Map.of());
    JsonNode connected = ws.next();
    String instance = connected.get("streamInstanceId").asString();
    String job = api.createJob(space, "a");
    long lastSeen = ws.next().get("seq").asLong();
    ws.close();
    assertThat(ws.closeCode()).isEqualTo(1000);

    worker.start(job);
    worker.completeWith(job, "null");
    // the stream keeps its instance while nobody listens (spool.realtime.idle-stream-grace)
    Thread.sleep(500);

    WsClient again =
        WsClient.open(url("&since=" + lastSeen + "&streamInstanceId=" + instance), Map.of());
    JsonNode reconnected = again.next();
    assertThat(reconnected.get("missed").asBoolean()).isFalse();
    assertThat(reconnected.get("seq").asLong()).isEqualTo(lastSeen);
    assertThat(reconnected.get("streamInstanceId").asString()).isEqualTo(instance);
    List<JsonNode> replayed = again.next(3);
    assertThat(replayed)
        .extracting(f -> f.get("type").asString())
        .containsExactly("delivered", "acked", "completed");
    assertThat(replayed)
        .extracting(f -> f.get("seq").asLong())
        .containsExactly(lastSeen + 1, lastSeen + 2, lastSeen + 3);
    assertThat(replayed.get(2).get("counts").get("completed").asLong()).isEqualTo(1);

    // live events continue the same numbering
    api.createJob(space, "b");
    assertThat(again.next().get("seq").asLong()).isEqualTo(lastSeen + 4);
    again.close();
  }

  @Test
  void aReconnectThatCannotBeContinuedGetsMissedTrue() throws Exception {
    WsClient ws = WsClient.open(url(""), Map.of());
    JsonNode connected = ws.next();
    long seq = connected.get("seq").asLong();
    String instance = connected.get("streamInstanceId").asString();

    WsClient unknownInstance =
        WsClient.open(
            url("&since=" + seq + "&streamInstanceId=01ARZ3NDEKTSV4RRFFQ69G5FAV"), Map.of());
    JsonNode first = unknownInstance.next();
    assertThat(first.get("missed").asBoolean()).isTrue();
    assertThat(first.get("streamInstanceId").asString()).isEqualTo(instance);

    WsClient future =
        WsClient.open(url("&since=" + (seq + 1000) + "&streamInstanceId=" + instance), Map.of());
    assertThat(future.next().get("missed").asBoolean()).isTrue();

    WsClient noInstance = WsClient.open(url("&since=" + seq), Map.of());
    assertThat(noInstance.next().get("missed").asBoolean()).isTrue();
    List.of(ws, unknownInstance, future, noInstance).forEach(WsClient::close);
  }

  @Test
  void whenTheListeningConnectionDropsSubscribersAreClosedAndReconnectWithMissedTrue()
      throws Exception {
    WsClient ws = WsClient.open(url(""), Map.of());
    JsonNode connected = ws.next();
    String instance = connected.get("streamInstanceId").asString();
    long seq = connected.get("seq").asLong();
    String job = api.createJob(space, "a");
    WsClient follower =
        WsClient.open(
            "ws://127.0.0.1:" + port + "/api/v1/realtime/" + job, Map.of("x-api-key", space.key()));
    follower.next();
    seq = ws.next().get("seq").asLong();

    jdbc.sql(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'
            """)
        .query()
        .listOfRows();

    assertThat(ws.closeCode()).isEqualTo(1012);
    assertThat(follower.closeCode()).isEqualTo(1012);
    WsClient again = null;
    for (int i = 0; i < 50; i++) {
      again = WsClient.open(url("&since=" + seq + "&streamInstanceId=" + instance), Map.of());
      JsonNode c = again.next();
      if (c.get("missed").asBoolean()) {
        assertThat(c.get("streamInstanceId").asString()).isNotEqualTo(instance);
        break;
      }
      again.close();
      again = null;
      Thread.sleep(200);
    }
    assertThat(again).as("a reconnect after the drop reports missed: true").isNotNull();
    // and the new instance streams again
    api.createJob(space, "b");
    assertThat(again.next().get("type").asString()).isEqualTo("created");
    again.close();
  }

  @Test
  void oneTransactionWhoseStatementsTouchTwoSpacesReachesBothSpacesStreams() throws Exception {
    TestApi.TestSpace other = api.newSpace();
    WsClient mine = WsClient.open(url(""), Map.of());
    WsClient theirs =
        WsClient.open(
            "ws://127.0.0.1:"
                + port
                + "/api/v1/realtime/spaces/"
                + other.id()
                + "?token="
                + other.key(),
            Map.of());
    mine.next();
    theirs.next();

    // two statements, two different space sets: two notifications for one transaction
    String[] inserted = new String[2];
    new TransactionTemplate(transactionManager)
        .executeWithoutResult(
            status -> {
              inserted[0] = jobs.in(space).name("a").insert();
              inserted[1] = jobs.in(other).name("b").insert();
            });

    assertThat(mine.next().get("jobId").asString()).isEqualTo(inserted[0]);
    assertThat(theirs.next().get("jobId").asString()).isEqualTo(inserted[1]);
    mine.close();
    theirs.close();
  }

  @Test
  void theSpaceStreamNeedsAJobsReadKeyOfThatSpace() {
    String base = "ws://127.0.0.1:" + port + "/api/v1/realtime/spaces/";
    TestApi.TestSpace other = api.newSpace();
    assertThat(WsClient.refusedStatus(base + space.id(), Map.of())).isEqualTo(401);
    assertThat(WsClient.refusedStatus(base + space.id() + "?token=emit_bad", Map.of()))
        .isEqualTo(401);
    assertThat(WsClient.refusedStatus(base + space.id() + "?token=" + space.publicKey(), Map.of()))
        .isEqualTo(403);
    assertThat(WsClient.refusedStatus(base + space.id(), Map.of("x-api-key", other.key())))
        .isEqualTo(403);
    assertThat(
            WsClient.refusedStatus(
                base + "01ARZ3NDEKTSV4RRFFQ69G5FAV", Map.of("x-api-key", api.adminKey())))
        .isEqualTo(404);
    assertThat(
            WsClient.refusedStatus(
                base + space.id() + "?since=abc", Map.of("x-api-key", space.key())))
        .isEqualTo(400);
  }
}
