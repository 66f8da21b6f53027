package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;

class HealthAndMetricsIntegrationTests extends IntegrationTest {

  @LocalManagementPort int managementPort;

  @Autowired JobCountGauges gauges;

  TestApi management;

  @BeforeEach
  void setUpManagement() {
    management = new TestApi("http://127.0.0.1:" + managementPort, null);
  }

  @Test
  void livenessAndReadinessAreUpWithoutAnyKeyOnTheManagementPort() {
    Response readiness = management.get("/actuator/health/readiness", null);
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
    assertThat(readiness.json().at("/components/database/details/applied").isString()).isTrue();
    assertThat(management.get("/actuator/health/liveness", null).status()).isEqualTo(200);
  }

  @Test
  void overallHealthReportsEveryBackgroundLoopAndTheNotificationListener() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> management.get("/actuator/health", null).status() == 200);
    JsonNode components = management.get("/actuator/health", null).json().get("components");
    assertThat(components.at("/notifications/status").asString()).isEqualTo("UP");
    JsonNode loops = components.at("/backgroundLoops/details");
    assertThat(loops.has("count-rollup")).isTrue();
    assertThat(loops.has("count-gauges")).isTrue();
    assertThat(loops.at("/count-rollup/healthy").asBoolean()).isTrue();
    assertThat(components.has("db")).as("replaced by the quiet database check").isFalse();
  }

  @Test
  void theManagementPortExposesOnlyHealthInfoAndPrometheus() {
    assertThat(management.get("/actuator/info", null).status()).isEqualTo(200);
    assertThat(management.get("/actuator/prometheus", null).status()).isEqualTo(200);
    for (String hidden :
        List.of(
            "/actuator/env",
            "/actuator/beans",
            "/actuator/configprops",
            "/actuator/heapdump",
            "/actuator/loggers",
            "/actuator/metrics",
            "/api/v1/spaces")) {
      assertThat(management.get(hidden, api.adminKey()).status()).as(hidden).isEqualTo(404);
    }
  }

  @Test
  void theApiPortServesNoActuatorEndpoint() {
    assertThat(api.get("/actuator/health", null).status()).isEqualTo(404);
    assertThat(api.get("/actuator/prometheus", null).status()).isEqualTo(404);
  }

  @Test
  void prometheusShowsJobCountersGaugesLatencyAndPoolAfterAWorkload() {
    TestSpace space = api.newSpace();
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]");
    api.createJobs(
        space,
        "{\"name\":\"later\",\"scheduledFor\":\"" + Instant.now().plus(Duration.ofDays(1)) + "\"}");
    // transitions that other features write: appended the way they do, as committed events
    // announced by the writing statement
    jdbc.sql(
            """
            WITH e AS (
                INSERT INTO job_events (job_id, space_id, type, attempt_number)
                VALUES (:a, :space, 'completed', 1), (:b, :space, 'dead', 1),
                       (:c, :space, 'killed', 0), (:a, :space, 'callback_sent', 1),
                       (:b, :space, 'callback_failed', 1), (:c, :space, 'my-custom-event', 0)
                RETURNING space_id
            )
            SELECT spool_notify_events(array_agg(space_id)) FROM e
            """)
        .param("a", ids.get(0))
        .param("b", ids.get(1))
        .param("c", ids.get(2))
        .param("space", space.id())
        .query(Integer.class)
        .single();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              String scrape = scrape();
              assertThat(value(scrape, "spool_job_events_total", space.id(), "type", "created"))
                  .isEqualTo(3.0);
              assertThat(value(scrape, "spool_job_events_total", space.id(), "type", "scheduled"))
                  .isEqualTo(1.0);
              for (String type :
                  List.of("completed", "dead", "killed", "callback_sent", "callback_failed")) {
                assertThat(value(scrape, "spool_job_events_total", space.id(), "type", type))
                    .as(type)
                    .isEqualTo(1.0);
              }
              assertThat(
                      value(
                          scrape, "spool_job_events_total", space.id(), "type", "my-custom-event"))
                  .as("custom event types would make unbounded series")
                  .isNull();
            });

    gauges.runOnce();
    String scrape = scrape();
    assertThat(value(scrape, "spool_jobs_current", space.id(), "status", "pending")).isEqualTo(3.0);
    assertThat(value(scrape, "spool_jobs_current", space.id(), "status", "scheduled"))
        .isEqualTo(1.0);
    assertThat(value(scrape, "spool_jobs_current", space.id(), "status", "running")).isEqualTo(0.0);
    assertThat(scrape)
        .contains("http_server_requests_seconds_bucket{")
        .containsPattern(
            "http_server_requests_seconds_bucket\\{[^}]*method=\"POST\"[^}]*uri=\"/api/v1/spaces/\\{spaceId}/jobs\"")
        .contains("application=\"spool\"")
        .contains("hikaricp_connections_active{")
        .contains("hikaricp_connections_max{")
        .contains("spool_polls_waiting ")
        .contains("spool_realtime_connections ")
        .contains("spool_ratelimit_rejected_total");
  }

  private String scrape() {
    Response r = management.get("/actuator/prometheus", null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  /** The sample of {@code name} whose labels include the space and {@code tag=value}, or null. */
  static Double value(String scrape, String name, String space, String tag, String value) {
    Map<String, String> wanted = Map.of("space", space, tag, value);
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      String labels = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}'));
      boolean all =
          wanted.entrySet().stream()
              .allMatch(e -> labels.contains(e.getKey() + "=\"" + e.getValue() + "\""));
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return null;
  }
}
