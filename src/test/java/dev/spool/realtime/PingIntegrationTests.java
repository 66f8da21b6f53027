package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = "spool.realtime.ping-interval=300ms")
class PingIntegrationTests extends IntegrationTest {

  @Test
  void theServerPingsIdleConnectionsAtTheConfiguredInterval() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "idle");
    WsClient ws =
        WsClient.open(
            "ws://127.0.0.1:" + port + "/api/v1/realtime/" + job, Map.of("x-api-key", space.key()));
    ws.next();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (ws.pings.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(ws.pings.get()).isGreaterThanOrEqualTo(2);
    assertThat(ws.closed).isNotDone();
    ws.close();
  }
}
