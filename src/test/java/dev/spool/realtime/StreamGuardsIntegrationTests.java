package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Open streams are authorized again while open (revoked keys and ended sessions lose them), and
 * connections are capped per job and per instance (tiny caps here).
 */
@TestPropertySource(
    properties = {
      "spool.keys.cache-ttl=1s",
      "spool.realtime.max-connections-per-job=2",
      "spool.realtime.max-connections=6"
    })
class StreamGuardsIntegrationTests extends IntegrationTest {

  private static final String COOKIE = "spool_dashboard";

  /** A new jobs:read key of the space: {id, key}. */
  private String[] newKey(TestApi.TestSpace space) {
    TestApi.Response r =
        api.post(
            "/api/v1/spaces/" + space.id() + "/keys",
            api.adminKey(),
            "{\"name\":\"watcher\",\"scopes\":[\"jobs:read\"]}");
    TestApi.require(r, 201);
    return new String[] {r.json().get("id").asString(), r.json().get("key").asString()};
  }

  private String ws(String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  @Test
  void aSpaceStreamClosesWith4401SoonAfterItsKeyIsRevoked() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String[] created = newKey(space);
    String key = created[1];
    WsClient stream =
        WsClient.open(ws("/api/v1/realtime/spaces/" + space.id()), Map.of("x-api-key", key));
    WsClient kept =
        WsClient.open(
            ws("/api/v1/realtime/spaces/" + space.id() + "?token=" + space.key()), Map.of());
    assertThat(stream.next().get("type").asString()).isEqualTo("connected");
    assertThat(kept.next().get("type").asString()).isEqualTo("connected");

    TestApi.require(api.delete("/api/v1/keys/" + created[0], api.adminKey()), 200);

    assertThat(stream.closeCode()).isEqualTo(4401);
    api.createJob(space, "after-revocation");
    assertThat(kept.next().get("type").asString())
        .as("a valid key keeps its stream")
        .isEqualTo("created");
    assertThat(kept.closed).isNotDone();
    kept.close();
  }

  @Test
  void aJobStreamClosesWith4401AfterItsKeyIsRevokedWhileTheTokenlessViewStays() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String[] created = newKey(space);
    String key = created[1];
    String job = api.createJob(space, "watched");
    WsClient keyed = WsClient.open(ws("/api/v1/realtime/" + job + "?token=" + key), Map.of());
    WsClient anonymous = WsClient.open(ws("/api/v1/realtime/" + job), Map.of());
    assertThat(keyed.next().get("type").asString()).isEqualTo("init");
    assertThat(anonymous.next().get("type").asString()).isEqualTo("init");

    TestApi.require(api.delete("/api/v1/keys/" + created[0], api.adminKey()), 200);

    assertThat(keyed.closeCode()).isEqualTo(4401);
    Thread.sleep(1500); // a further re-check period: the progress view has no key to lose
    assertThat(anonymous.closed).isNotDone();
    anonymous.close();
  }

  @Test
  void aDashboardStreamClosesWhenItsSessionSignsOut() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String setCookie =
        api.send(
                HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "key=" + URLEncoder.encode(space.key(), StandardCharsets.UTF_8)))
                    .build())
            .header("Set-Cookie");
    String cookie = COOKIE + "=" + setCookie.substring(COOKIE.length() + 1, setCookie.indexOf(';'));
    WsClient stream =
        WsClient.open(ws("/dashboard/realtime/spaces/" + space.id()), Map.of("Cookie", cookie));
    assertThat(stream.next().get("type").asString()).isEqualTo("connected");

    String csrf =
        api.send(
                HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session"))
                    .header("Cookie", cookie)
                    .GET()
                    .build())
            .json()
            .get("csrfToken")
            .asString();
    TestApi.Response out =
        api.send(
            HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session/sign-out"))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", cookie)
                .header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(out.status()).isEqualTo(204);

    assertThat(stream.closeCode()).isEqualTo(4401);
  }

  @Test
  void aThirdStreamOfOneJobIsRefusedWith429WhileOtherJobsStillOpen() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "popular");
    WsClient a = WsClient.open(ws("/api/v1/realtime/" + job), Map.of());
    WsClient b = WsClient.open(ws("/api/v1/realtime/" + job + "?token=" + space.key()), Map.of());
    assertThat(a.next().get("type").asString()).isEqualTo("init");
    assertThat(b.next().get("type").asString()).isEqualTo("init");

    assertThat(WsClient.refusedStatus(ws("/api/v1/realtime/" + job), Map.of())).isEqualTo(429);

    String other = api.createJob(space, "quiet");
    WsClient c = WsClient.open(ws("/api/v1/realtime/" + other), Map.of());
    assertThat(c.next().get("type").asString()).isEqualTo("init");
    a.close();
    b.close();
    c.close();
  }

  @Test
  void connectionsBeyondTheInstanceCapAreRefusedWith503() throws Exception {
    TestApi.TestSpace space = api.newSpace();
    String url = ws("/api/v1/realtime/spaces/" + space.id() + "?token=" + space.key());
    List<WsClient> opened = new ArrayList<>();
    int refused = 0;
    try {
      for (int i = 0; i < 20 && refused == 0; i++) {
        try {
          WsClient ws = WsClient.open(url, Map.of());
          opened.add(ws);
          assertThat(ws.next().get("type").asString()).isEqualTo("connected");
        } catch (CompletionException e) {
          if (e.getCause() instanceof WebSocketHandshakeException h) {
            refused = h.getResponse().statusCode();
          } else {
            throw e;
          }
        }
      }
      assertThat(refused).isEqualTo(503);
      assertThat(opened.size()).isLessThanOrEqualTo(6);
    } finally {
      opened.forEach(WsClient::close);
    }
  }
}
