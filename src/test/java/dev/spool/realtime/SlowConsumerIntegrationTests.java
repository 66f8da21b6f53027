package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.WorkerCalls;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class SlowConsumerIntegrationTests extends IntegrationTest {

  @Autowired Connections connections;

  @Test
  void aConsumerThatStopsReadingIsClosedWith1008WhileAnotherKeepsReceiving() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    WorkerCalls worker = WorkerCalls.admin(api);
    String job = api.createJob(space, "big-output");
    worker.start(job);
    String url =
        "ws://127.0.0.1:"
            + port
            + "/api/v1/realtime/spaces/"
            + space.id()
            + "?token="
            + space.key();
    WsClient slow = WsClient.open(url, Map.of(), true);
    WsClient healthy = WsClient.open(url, Map.of());
    assertThat(slow.next().get("type").asString()).isEqualTo("connected");
    assertThat(healthy.next().get("type").asString()).isEqualTo("connected");
    long closedBefore = connections.slowConsumersClosed();

    // 256 KiB per event: the slow client's socket buffers fill, then its 4 MB send buffer
    String chunk = "x".repeat(256 * 1024);
    int events = 0;
    while (connections.slowConsumersClosed() == closedBefore && events < 400) {
      worker.event(job, "chunk", "{\"i\":" + events + ",\"blob\":\"" + chunk + "\"}");
      events++;
      for (int i = 0; i < 1; i++) {
        assertThat(healthy.next().get("data").get("i").asInt()).isEqualTo(events - 1);
      }
    }
    assertThat(connections.slowConsumersClosed()).isGreaterThan(closedBefore);

    // once it reads again it drains what reached its socket, then finds the 1008 close
    slow.resume();
    assertThat(slow.closeCode()).isEqualTo(1008);

    // the other subscriber is unaffected
    worker.event(job, "after", "{}");
    JsonNode after = healthy.next();
    assertThat(after.get("type").asString()).isEqualTo("after");
    assertThat(healthy.closed).isNotDone();
    healthy.close();
  }
}
