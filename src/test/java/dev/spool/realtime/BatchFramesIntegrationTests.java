package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Ack on poll and batch calls send the frames the single calls would, with their counts. */
class BatchFramesIntegrationTests extends IntegrationTest {

  @Test
  void aPollWithAckAndABatchCompleteStreamEveryJobsEventsInOrder() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    List<String> ids = api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"}]");
    WsClient ws =
        WsClient.open(
            "ws://127.0.0.1:"
                + port
                + "/api/v1/realtime/spaces/"
                + space.id()
                + "?token="
                + space.key(),
            Map.of());
    assertThat(ws.next().get("type").asString()).isEqualTo("connected");

    assertThat(worker.pollJobs("{\"count\":2,\"ack\":true}")).hasSize(2);
    JsonNode results =
        worker.batchResults(
            "complete",
            "{\"jobs\":[{\"id\":\"" + ids.get(0) + "\"},{\"id\":\"" + ids.get(1) + "\"}]}");
    assertThat(results.get(1).get("status").asString()).isEqualTo("completed");

    List<JsonNode> frames = ws.next(6);
    assertThat(frames)
        .extracting(f -> f.get("type").asString())
        .containsExactly("delivered", "acked", "delivered", "acked", "completed", "completed");
    assertThat(frames)
        .extracting(f -> f.get("jobId").asString())
        .containsExactly(ids.get(0), ids.get(0), ids.get(1), ids.get(1), ids.get(0), ids.get(1));
    assertThat(frames.get(3).get("counts").get("running").asLong()).isEqualTo(2);
    assertThat(frames.get(3).get("counts").get("pending").asLong()).isZero();
    assertThat(frames.get(5).get("counts").get("completed").asLong()).isEqualTo(2);
    assertThat(frames.get(5).get("counts").get("running").asLong()).isZero();
    ws.close();
  }
}
