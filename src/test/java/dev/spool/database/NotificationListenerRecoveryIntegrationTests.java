package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;

/**
 * The LISTEN thread is a background loop like the others: an {@link Error} thrown inside its turn
 * (here by a listener) is caught, health says so, and the loop reconnects and delivers again.
 */
class NotificationListenerRecoveryIntegrationTests extends IntegrationTest {

  private static final Duration LIMIT = Duration.ofSeconds(30);

  @LocalManagementPort int managementPort;

  @Autowired PgNotifications notifications;

  TestApi management;
  final AtomicBoolean broken = new AtomicBoolean();
  final List<String> received = new CopyOnWriteArrayList<>();

  /** Throws an Error from every call while {@link #broken}: on a notification and on reconnect. */
  final PgNotifications.Listener listener =
      new PgNotifications.Listener() {
        @Override
        public void onNotification(String channel, String payload) {
          failIfBroken();
          if (PgNotifications.PENDING.equals(channel)) {
            received.add(payload);
          }
        }

        @Override
        public void onReconnect() {
          failIfBroken();
        }

        private void failIfBroken() {
          if (broken.get()) {
            throw new LinkageError("made up by NotificationListenerRecoveryIntegrationTests");
          }
        }
      };

  @BeforeEach
  void listen() {
    management = new TestApi("http://127.0.0.1:" + managementPort, null);
    notifications.addListener(listener);
  }

  @AfterEach
  void stopListening() {
    broken.set(false);
    notifications.removeListener(listener);
  }

  @Test
  void anErrorInsideTheListenTurnTakesHealthDownAndTheLoopReconnects() {
    await().atMost(LIMIT).until(() -> listenLoopHealthy() && notifications.isConnected());
    long generation = notifications.generation();

    broken.set(true);
    notifyPending("to-the-broken-listener");

    // the Error left the turn: the connection is dropped, and every reconnect fails again while
    // the listener stays broken, so health stays down until it is mended
    await().atMost(LIMIT).until(() -> !listenLoopHealthy());
    JsonNode components = health().get("components");
    assertThat(components.at("/notifications/status").asString()).isEqualTo("DOWN");
    assertThat(components.at("/backgroundLoops/status").asString()).isEqualTo("DOWN");
    assertThat(components.at("/backgroundLoops/details/pg-listen/lastError").asString())
        .contains("LinkageError");
    assertThat(notifications.isConnected()).isFalse();

    broken.set(false);
    await().atMost(LIMIT).until(() -> listenLoopHealthy() && notifications.isConnected());
    assertThat(health().at("/components/notifications/status").asString()).isEqualTo("UP");
    assertThat(notifications.generation()).isGreaterThan(generation);

    notifyPending("after-recovery");
    await().atMost(LIMIT).until(() -> received.contains("after-recovery"));
  }

  private void notifyPending(String payload) {
    jdbc.sql("SELECT pg_notify(:channel, :payload)")
        .param("channel", PgNotifications.PENDING)
        .param("payload", payload)
        .query(String.class)
        .single();
  }

  private boolean listenLoopHealthy() {
    return health().at("/components/backgroundLoops/details/pg-listen/healthy").asBoolean();
  }

  private JsonNode health() {
    return management.get("/actuator/health", null).json();
  }
}
