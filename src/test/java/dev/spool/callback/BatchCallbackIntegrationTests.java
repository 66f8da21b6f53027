package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.callback.Receiver.Request;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A batch complete fires each job's callback exactly as a single complete does. */
class BatchCallbackIntegrationTests extends CallbackTest {

  @Test
  void aBatchCompleteDeliversTheCallbackOfEveryCompletedJob() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      String first = jobWithCallback(space, receiver.url("/first"), Map.of());
      String second = jobWithCallback(space, receiver.url("/second"), Map.of());
      String path = "/api/v1/spaces/" + space.id() + "/jobs/";
      TestApi.require(api.post(path + "poll", space.key(), "{\"count\":2,\"ack\":true}"), 200);

      TestApi.Response r =
          api.post(
              path + "complete",
              space.key(),
              "{\"jobs\":[{\"id\":\""
                  + first
                  + "\",\"result\":{\"n\":1}},{\"id\":\""
                  + second
                  + "\",\"result\":{\"n\":2}}]}");
      TestApi.require(r, 200);

      Map<String, JsonNode> bodies = new java.util.HashMap<>();
      for (int i = 0; i < 2; i++) {
        Request request = receiver.next(WAIT);
        assertThat(request).isNotNull();
        bodies.put(request.path(), TestApi.JSON.readTree(request.body()));
      }
      assertThat(bodies.get("/first").get("jobId").asString()).isEqualTo(first);
      assertThat(bodies.get("/first").get("status").asString()).isEqualTo("completed");
      assertThat(bodies.get("/first").get("result").get("n").asInt()).isEqualTo(1);
      assertThat(bodies.get("/second").get("jobId").asString()).isEqualTo(second);
      assertThat(bodies.get("/second").get("result").get("n").asInt()).isEqualTo(2);
      assertThat(awaitAttempts(space, first, 1).get(0).get("statusCode").asInt()).isEqualTo(200);
    }
  }
}
