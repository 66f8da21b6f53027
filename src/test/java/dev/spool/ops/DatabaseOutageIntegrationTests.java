package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The whole application talks to PostgreSQL through a {@link TcpProxy} this test cuts and restores,
 * and its server connections are killed with {@code pg_terminate_backend} (tagged by application
 * name, so no other test's connection is touched). The shared PostgreSQL server itself is never
 * stopped.
 */
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageIntegrationTests extends IntegrationTest {

  static final String APPLICATION_NAME = "spool-outage-test";
  static final TcpProxy PROXY = startProxy();

  @LocalManagementPort int managementPort;

  TestApi management;

  /**
   * Points the pool at the proxy. (A {@code @DynamicPropertySource} here would lose to the base
   * class's, so the URL is rewritten on the bean before the pool first connects.)
   */
  @TestConfiguration(proxyBeanMethods = false)
  static class ThroughTheProxy {
    @Bean
    static BeanPostProcessor proxiedDataSource() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessBeforeInitialization(Object bean, String name) {
          if (bean instanceof HikariDataSource hikari) {
            hikari.setJdbcUrl(proxiedUrl());
          }
          return bean;
        }
      };
    }
  }

  @BeforeEach
  void setUpManagement() {
    management = new TestApi("http://127.0.0.1:" + managementPort, null);
  }

  @AfterAll
  static void closeProxy() throws IOException {
    PROXY.close();
  }

  @Test
  void killedServerConnectionsCostAtMostA503AndNeverA500() throws Exception {
    TestSpace space = api.newSpace();
    String id = api.createJob(space, "before-termination");
    assertThat(PROXY.accepted()).as("the app connects through the proxy").isPositive();

    assertThat(TestDatabase.get().terminateConnectionsOf(APPLICATION_NAME)).isPositive();

    List<Integer> statuses = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              int status = api.get("/api/v1/jobs/" + id, space.key()).status();
              statuses.add(status);
              return status == 200;
            });
    assertThat(statuses).allMatch(s -> s == 200 || s == 503);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health("/actuator/health/notifications").status() == 200);
  }

  @Test
  void anOutageAnswers503FlipsReadinessAndLosesNoJob(CapturedOutput output) throws Exception {
    TestSpace space = api.newSpace();
    List<String> before =
        api.createJobs(
            space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"}]");
    // a key the app has never resolved, so its lookup must reach the (missing) database
    String uncachedKey = api.newKey(space.id(), List.of("jobs:read"));
    assertThat(health("/actuator/health/readiness").status()).isEqualTo(200);
    assertThat(health("/actuator/health/liveness").status()).isEqualTo(200);

    PROXY.cut();
    TestDatabase.get().terminateConnectionsOf(APPLICATION_NAME);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health("/actuator/health/readiness").status() == 503);
    assertThat(health("/actuator/health/readiness").json().get("status").asString())
        .isEqualTo("DOWN");
    assertThat(health("/actuator/health/liveness").status())
        .as("an outage is no reason to restart the process")
        .isEqualTo(200);

    Response create =
        api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), "{\"name\":\"during\"}");
    assertUnavailable(create);
    assertUnavailable(api.get("/api/v1/jobs/" + before.get(0), space.key()));
    assertUnavailable(api.get("/api/v1/jobs/" + before.get(0), uncachedKey));
    assertUnavailable(api.get("/api/v1/spaces", api.adminKey()));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health("/actuator/health/backgroundLoops").status() == 503);
    assertThat(health("/actuator/health/notifications").status()).isEqualTo(503);

    PROXY.restore();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health("/actuator/health/readiness").status() == 200);
    for (String id : before) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> api.get("/api/v1/jobs/" + id, space.key()).status() == 200);
      Response job = api.get("/api/v1/jobs/" + id, space.key());
      assertThat(job.json().get("status").asString()).isEqualTo("pending");
    }
    assertThat(api.get("/api/v1/jobs/" + before.get(0), uncachedKey).status()).isEqualTo(200);
    assertThat(api.createJob(space, "after")).hasSize(26);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                health("/actuator/health/notifications").status() == 200
                    && health("/actuator/health/backgroundLoops").status() == 200);

    // the loops noticed the outage, and each says once that it fails and once that it recovered,
    // not once per turn (which loops had a turn during the outage depends on timing)
    java.util.regex.Matcher failed =
        java.util.regex.Pattern.compile("(\\S+): turn failed").matcher(output.getAll());
    java.util.Map<String, Integer> failuresPerLoop = new java.util.HashMap<>();
    while (failed.find()) {
      failuresPerLoop.merge(failed.group(1), 1, Integer::sum);
    }
    assertThat(failuresPerLoop).isNotEmpty();
    assertThat(failuresPerLoop.values()).allMatch(n -> n == 1);
    failuresPerLoop
        .keySet()
        .forEach(loop -> assertThat(output.getAll()).contains(loop + ": recovered after"));
    assertThat(output.getAll()).doesNotContain("Unexpected error");
  }

  private static void assertUnavailable(Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isEqualTo("5");
    assertThat(r.error()).isEqualTo("Service unavailable");
  }

  private Response health(String path) {
    return management.get(path, null);
  }

  private static TcpProxy startProxy() {
    URI db = TestDatabase.get().hostAndPort();
    try {
      return new TcpProxy(db.getHost(), db.getPort() < 0 ? 5432 : db.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The test database's URL, pointed at the proxy and tagged with our application name. */
  private static String proxiedUrl() {
    URI db = TestDatabase.get().hostAndPort();
    String query = db.getQuery() == null ? "" : db.getQuery() + "&";
    return "jdbc:postgresql://127.0.0.1:"
        + PROXY.port()
        + db.getPath()
        + "?"
        + query
        + "ApplicationName="
        + APPLICATION_NAME;
  }
}
