package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** POST /dashboard/bulk/spaces/:id over HTTP: its checks, its count and exactly its jobs. */
class BulkActionIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls worker;
  String cookie;
  String csrf;

  @BeforeEach
  void signedIn() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
    cookie = cookie(space.key());
    csrf =
        api.send(base("/dashboard/session", cookie).GET().build())
            .json()
            .get("csrfToken")
            .asString();
  }

  @Test
  void aBulkKillChangesOnlyTheConfirmedJobsOfItsFilter() {
    List<String> xs = api.createJobs(space, "[{\"name\":\"x\"},{\"name\":\"x\"}]");
    String y = api.createJob(space, "y");
    String done = api.createJob(space, "x");
    worker.start(done);
    worker.complete(done);

    JsonNode preview = bulk("{\"action\":\"kill\",\"name\":\"x\",\"dryRun\":true}", csrf, null);
    String late = api.createJob(space, "x");
    JsonNode outcome =
        bulk(
            "{\"action\":\"kill\",\"name\":\"x\",\"upTo\":\""
                + preview.get("upTo").asString()
                + "\"}",
            csrf,
            null);

    assertThat(preview.get("count").asLong()).isEqualTo(2);
    assertThat(outcome.get("changed").asInt()).isEqualTo(2);
    assertThat(outcome.get("done").asBoolean()).isTrue();
    assertThat(xs.stream().map(worker::status)).containsOnly("killed");
    assertThat(worker.status(y)).isEqualTo("pending");
    assertThat(worker.status(late)).isEqualTo("pending");
    assertThat(worker.status(done)).isEqualTo("completed");
  }

  @Test
  void aBulkRetryRunsEachDeadJobOfTheFilterOnce() {
    List<String> ids = api.createJobs(space, "[{\"name\":\"x\"},{\"name\":\"x\"}]");
    ids.forEach(id -> worker.kill(id, "{}"));

    JsonNode preview =
        bulk("{\"action\":\"retry\",\"status\":\"killed\",\"dryRun\":true}", csrf, null);
    String upTo = preview.get("upTo").asString();
    JsonNode first =
        bulk("{\"action\":\"retry\",\"status\":\"killed\",\"upTo\":\"" + upTo + "\"}", csrf, null);
    JsonNode again =
        bulk("{\"action\":\"retry\",\"status\":\"killed\",\"dryRun\":true}", csrf, null);

    assertThat(preview.get("count").asLong()).isEqualTo(2);
    assertThat(first.get("changed").asInt()).isEqualTo(2);
    assertThat(again.get("count").asLong()).isZero();
    assertThat(worker.pollJobs("{\"count\":10}")).hasSize(2);
  }

  @Test
  void itNeedsTheSessionTheCsrfTokenTheSameOriginAndTheScope() {
    String body = "{\"action\":\"kill\",\"dryRun\":true}";
    String path = "/dashboard/bulk/spaces/" + space.id();

    assertThat(api.send(post(path, null, csrf, null, body)).status()).isEqualTo(401);
    TestApi.Response noToken = api.send(post(path, cookie, null, null, body));
    assertThat(noToken.status()).isEqualTo(403);
    assertThat(noToken.json().get("code").asString()).isEqualTo("csrf");
    TestApi.Response foreign = api.send(post(path, cookie, csrf, "https://evil.example", body));
    assertThat(foreign.json().get("code").asString()).isEqualTo("origin");
    TestSpace other = api.newSpace();
    assertThat(
            api.send(post("/dashboard/bulk/spaces/" + other.id(), cookie, csrf, null, body))
                .status())
        .isEqualTo(403);
    String readOnly = cookie(api.newKey(space.id(), List.of("jobs:read")));
    String readCsrf =
        api.send(base("/dashboard/session", readOnly).GET().build())
            .json()
            .get("csrfToken")
            .asString();
    assertThat(api.send(post(path, readOnly, readCsrf, null, body)).status()).isEqualTo(403);
    assertThat(
            api.send(post(path, cookie, csrf, null, "{\"action\":\"delete\",\"dryRun\":true}"))
                .status())
        .isEqualTo(400);
    assertThat(api.send(post(path, cookie, csrf, null, "{\"action\":\"kill\"}")).status())
        .isEqualTo(400);
  }

  private JsonNode bulk(String body, String token, String origin) {
    TestApi.Response r =
        api.send(post("/dashboard/bulk/spaces/" + space.id(), cookie, token, origin, body));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private String cookie(String key) {
    HttpRequest signIn =
        HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
            .build();
    String setCookie = api.send(signIn).header("Set-Cookie");
    return setCookie.substring(DashboardSessions.COOKIE.length() + 1, setCookie.indexOf(';'));
  }

  private HttpRequest.Builder base(String path, String cookieValue) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(10));
    if (cookieValue != null) {
      b.header("Cookie", DashboardSessions.COOKIE + "=" + cookieValue);
    }
    return b;
  }

  private HttpRequest post(
      String path, String cookieValue, String token, String origin, String json) {
    HttpRequest.Builder b =
        base(path, cookieValue)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header(DashboardController.CSRF_HEADER, token);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return b.build();
  }
}
