package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sign-in, the session cookie, CSRF and the gateway's rules, over plain HTTP. */
class DashboardSessionIntegrationTests extends IntegrationTest {

  @Test
  void signingInSetsAnHttpOnlyStrictCookieScopedToTheDashboard() {
    TestApi.TestSpace space = api.newSpace();
    TestApi.Response r = signIn(space.key(), null);
    assertThat(r.status()).isEqualTo(303);
    assertThat(r.header("Location")).isEqualTo("/dashboard/");
    String cookie = r.header("Set-Cookie");
    assertThat(cookie)
        .startsWith(DashboardSessions.COOKIE + "=")
        .contains("HttpOnly", "SameSite=Strict", "Path=/dashboard")
        .doesNotContain(space.key());
  }

  @Test
  void unknownKeysKeysWithoutReadAndCrossSiteFormsAreRefused() {
    TestApi.TestSpace space = api.newSpace();
    assertRefused(signIn("emit_not-a-real-key", null), "invalid");
    assertRefused(signIn(space.publicKey(), null), "scope");
    assertRefused(signIn(space.key(), "http://evil.example"), "origin");
  }

  @Test
  void theSessionTellsWhoIsSignedInButNeverTheKey() {
    TestApi.TestSpace space = api.newSpace();
    String cookie = cookie(space.key());
    TestApi.Response me = get("/dashboard/session", cookie);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("spaceId").asString()).isEqualTo(space.id());
    assertThat(me.json().get("canKill").asBoolean()).isTrue();
    assertThat(me.json().get("csrfToken").asString()).hasSizeGreaterThan(20);
    assertThat(me.body()).doesNotContain(space.key());
    assertThat(me.header("Cache-Control")).contains("no-store");
    assertThat(get("/dashboard/session", null).status()).isEqualTo(401);
  }

  @Test
  void theGatewayNeedsASessionAndOpensOnlyTheDashboardsRoutes() {
    TestApi.TestSpace space = api.newSpace();
    String cookie = cookie(api.adminKey());
    assertThat(get("/dashboard/api/spaces/" + space.id() + "/jobs", null).status()).isEqualTo(401);
    assertThat(get("/dashboard/api/spaces/" + space.id() + "/jobs", cookie).status())
        .isEqualTo(200);
    assertThat(get("/dashboard/api/spaces", cookie).status()).isEqualTo(200);
    assertThat(get("/dashboard/api/spaces/" + space.id() + "/keys", cookie).status())
        .isEqualTo(404);
    TestApi.Response create =
        send(
            post(
                "/dashboard/api/spaces/" + space.id() + "/jobs",
                cookie,
                csrf(cookie),
                "{\"name\":\"x\"}"));
    assertThat(create.status()).isEqualTo(404);
  }

  @Test
  void aSessionOfABoundKeySeesOnlyItsSpaceWhateverHeadersTheBrowserAdds() {
    TestApi.TestSpace mine = api.newSpace();
    TestApi.TestSpace other = api.newSpace();
    String cookie = cookie(api.newKey(mine.id(), List.of("jobs:read")));
    assertThat(get("/dashboard/api/spaces/" + mine.id() + "/jobs", cookie).status()).isEqualTo(200);
    assertThat(get("/dashboard/api/spaces/" + other.id() + "/jobs", cookie).status())
        .isEqualTo(403);
    TestApi.Response swapped =
        send(
            base("/dashboard/api/spaces/" + other.id() + "/jobs", cookie)
                .header("x-api-key", api.adminKey())
                .header("Authorization", "Bearer " + api.adminKey())
                .GET()
                .build());
    assertThat(swapped.status()).isEqualTo(403);
    assertThat(get("/dashboard/api/spaces", cookie).status()).isEqualTo(403);
  }

  @Test
  void killingNeedsTheSessionsCsrfToken() {
    TestApi.TestSpace space = api.newSpace();
    String id = api.createJob(space, "victim");
    String cookie = cookie(space.key());
    String body = "{\"reason\":\"from the dashboard\"}";
    assertThat(send(post("/dashboard/api/jobs/" + id + "/kill", cookie, null, body)).status())
        .isEqualTo(403);
    assertThat(send(post("/dashboard/api/jobs/" + id + "/kill", cookie, "wrong", body)).status())
        .isEqualTo(403);
    assertThat(api.get("/api/v1/jobs/" + id, space.key()).json().get("status").asString())
        .isEqualTo("pending");
    TestApi.Response killed =
        send(post("/dashboard/api/jobs/" + id + "/kill", cookie, csrf(cookie), body));
    assertThat(killed.status()).isEqualTo(200);
    assertThat(killed.json().get("status").asString()).isEqualTo("killed");
  }

  @Test
  void signingOutNeedsTheCsrfTokenAndEndsTheSession() {
    TestApi.TestSpace space = api.newSpace();
    String cookie = cookie(space.key());
    assertThat(send(post("/dashboard/session/sign-out", cookie, null, "")).status()).isEqualTo(403);
    TestApi.Response out = send(post("/dashboard/session/sign-out", cookie, csrf(cookie), ""));
    assertThat(out.status()).isEqualTo(204);
    assertThat(out.header("Set-Cookie")).contains("Max-Age=0");
    assertThat(get("/dashboard/session", cookie).status()).isEqualTo(401);
    assertThat(get("/dashboard/api/spaces/" + space.id() + "/jobs", cookie).status())
        .isEqualTo(401);
  }

  @Test
  void aRevokedKeyStopsWorkingThroughItsSession() throws InterruptedException {
    TestApi.TestSpace space = api.newSpace();
    String key = api.newKey(space.id(), List.of("jobs:read"));
    String cookie = cookie(key);
    String keyId = get("/dashboard/session", cookie).json().get("keyId").asString();
    assertThat(api.delete("/api/v1/keys/" + keyId, api.adminKey()).status()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int status = 200;
    while (status == 200 && System.nanoTime() < deadline) {
      Thread.sleep(250);
      status = get("/dashboard/api/spaces/" + space.id() + "/jobs", cookie).status();
    }
    assertThat(status).isEqualTo(401);
  }

  @Test
  void thePageIsServedWithAStrictContentSecurityPolicy() {
    TestApi.Response page = get("/dashboard/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("<form method=\"post\" action=\"/dashboard/session\">");
    assertThat(page.header("Content-Security-Policy"))
        .contains("default-src 'self'", "frame-ancestors 'none'");
    assertThat(get("/dashboard/js/app.js", null).status()).isEqualTo(200);
    assertThat(get("/dashboard", null).status()).isEqualTo(301);
  }

  private TestApi.Response signIn(String key, String origin) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return send(b.build());
  }

  private void assertRefused(TestApi.Response r, String reason) {
    assertThat(r.status()).isEqualTo(303);
    assertThat(r.header("Location")).isEqualTo("/dashboard/?signin=" + reason);
    assertThat(r.header("Set-Cookie")).isNull();
  }

  /** Signs in and returns the session cookie's value. */
  private String cookie(String key) {
    String setCookie = signIn(key, null).header("Set-Cookie");
    return setCookie.substring(DashboardSessions.COOKIE.length() + 1, setCookie.indexOf(';'));
  }

  private String csrf(String cookie) {
    return get("/dashboard/session", cookie).json().get("csrfToken").asString();
  }

  private HttpRequest.Builder base(String path, String cookie) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", DashboardSessions.COOKIE + "=" + cookie);
    }
    return b;
  }

  private TestApi.Response get(String path, String cookie) {
    return send(base(path, cookie).GET().build());
  }

  private HttpRequest post(String path, String cookie, String csrf, String json) {
    HttpRequest.Builder b =
        base(path, cookie)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (csrf != null) {
      b.header(DashboardController.CSRF_HEADER, csrf);
    }
    return b.build();
  }

  private TestApi.Response send(HttpRequest request) {
    return api.send(request);
  }
}
