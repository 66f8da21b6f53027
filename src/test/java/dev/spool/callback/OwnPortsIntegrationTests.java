package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.TestApi.TestSpace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;

/**
 * Spool never calls itself: with 127.0.0.0/8 allowed (as in every delivering test), callbacks to
 * the API port and the management port as actually bound (random here) are refused without a
 * request, while another port on the same address is reached.
 */
class OwnPortsIntegrationTests extends CallbackTest {

  @LocalManagementPort int managementPort;

  @Test
  void callbacksToTheApiAndManagementPortsAreRefusedEvenWhenLoopbackIsAllowed() throws Exception {
    TestSpace space = api.newSpace();
    try (Receiver receiver = Receiver.start()) {
      String toApi =
          jobWithCallback(space, "http://127.0.0.1:" + port + "/api/v1/spaces", Map.of());
      String toManagement =
          jobWithCallback(
              space, "http://localhost:" + managementPort + "/actuator/health", Map.of());
      String toReceiver = jobWithCallback(space, receiver.url("/hook"), Map.of());
      worker.claimAndComplete("null", toApi, toManagement, toReceiver);

      for (String job : List.of(toApi, toManagement)) {
        JsonNode attempt = awaitAttempts(space, job, 1).get(0);
        assertThat(attempt.get("error").asString()).isEqualTo("Address not allowed");
        assertThat(attempt.get("statusCode").isNull()).isTrue();
      }
      assertThat(awaitAttempts(space, toReceiver, 1).get(0).get("statusCode").asInt())
          .isEqualTo(200);
    }
  }
}
