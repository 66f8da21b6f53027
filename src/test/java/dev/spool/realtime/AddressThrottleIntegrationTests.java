package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Per-address throttles (issue 13, item 8), with low limits so that a handful of requests shows
 * them: failed key lookups, WebSocket upgrades and dashboard sign-ins answer 429 with {@code
 * Retry-After} once an address is over its limit; keys that cannot be keys never count.
 */
@DirtiesContext
@TestPropertySource(
    properties = {
      "spool.abuse.failed-auth-per-second=1",
      "spool.abuse.upgrades-per-second=1",
      "spool.abuse.sign-ins-per-second=1"
    })
class AddressThrottleIntegrationTests extends IntegrationTest {

  @Test
  void anAddressGuessingKeysIsRefusedWith429ButKeysItAlreadyUsesKeepWorking() {
    TestSpace space = api.newSpace();
    String job = api.createJob(space, "throttled"); // the space's key is now known valid

    // malformed keys cost no lookup, so they never count against the address
    for (int i = 0; i < 20; i++) {
      Response r = api.get("/api/v1/jobs/" + job, "nope_" + UUID.randomUUID());
      assertThat(r.status()).isEqualTo(401);
    }
    List<Response> answers = burst(() -> api.get("/api/v1/jobs/" + job, guess()));
    assertThat(answers).extracting(Response::status).contains(401, 429).containsOnly(401, 429);
    Response refused = answers.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
    assertThat(refused.header("Retry-After")).isNotBlank();
    assertThat(refused.json().get("code").asString()).isEqualTo("rate_limited");

    assertThat(api.get("/api/v1/jobs/" + job, space.key()).status())
        .as("a key already known valid still works from a throttled address")
        .isEqualTo(200);
    // a key this instance has not resolved yet waits until the address's bucket has a token again
    // (its lookup finds a valid key, so it takes none and leaves the bucket for the next test)
    String fresh = api.newKey(space.id(), List.of("jobs:read"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.get("/api/v1/jobs/" + job, fresh).status() == 200);
  }

  @Test
  void webSocketUpgradesFromOneAddressAreThrottled() {
    TestSpace space = api.newSpace();
    // the space's new key is resolved once, which needs a token of the failed-key bucket that the
    // guessing test may have emptied: wait for one rather than depend on the order of the tests
    AtomicReference<String> created = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Response r =
                  api.post(
                      "/api/v1/spaces/" + space.id() + "/jobs",
                      space.key(),
                      "{\"name\":\"streamed\"}");
              if (r.status() == 201) {
                created.set(r.json().get("id").asString());
              }
              return r.status() == 201;
            });
    String job = created.get();
    String url = "ws://127.0.0.1:" + port + "/api/v1/realtime/" + job;
    List<Integer> refusals =
        burst(() -> WsClient.refusedStatus(url, Map.of("x-api-key", "emit_x")));
    assertThat(refusals).contains(401, 429).containsOnly(401, 429);
  }

  @Test
  void dashboardSignInsFromOneAddressAreThrottled() {
    List<Integer> statuses = burst(() -> signIn("emit_wrong").status());
    assertThat(statuses).contains(303, 429).containsOnly(303, 429);
  }

  /**
   * Thirty calls at once from this test's one address (127.0.0.1): at a limit of one per second
   * some are refused even when a loaded machine stretches the burst over several seconds.
   */
  private static <T> List<T> burst(Callable<T> call) {
    ExecutorService pool = Executors.newFixedThreadPool(30);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        futures.add(pool.submit(call));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  private Response signIn(String key) {
    return api.send(
        HttpRequest.newBuilder(URI.create(api.base() + "/dashboard/session"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
            .build());
  }

  /** A well-formed key nobody has: its lookup reaches the database. */
  private static String guess() {
    return "emit_" + (UUID.randomUUID() + "" + UUID.randomUUID()).replace("-", "").substring(0, 40);
  }
}
