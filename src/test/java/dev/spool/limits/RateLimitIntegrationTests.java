package dev.spool.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitIntegrationTests extends IntegrationTest {

  /** A key of the space, with its id (needed for the admin PATCH). */
  record Key(String id, String key) {}

  private Key newKey(TestSpace space) {
    Response r =
        api.post(
            "/api/v1/spaces/" + space.id() + "/keys",
            api.adminKey(),
            "{\"name\":\"limited\",\"scopes\":[\"jobs:read\"]}");
    TestApi.require(r, 201);
    return new Key(r.json().get("id").asString(), r.json().get("key").asString());
  }

  private Response limit(String keyId, String value) {
    return api.patch(
        "/api/v1/keys/" + keyId, api.adminKey(), "{\"rateLimitPerSecond\":" + value + "}");
  }

  @Test
  void everyAuthenticatedResponseCarriesTheDefaultLimitHeaders() {
    TestSpace space = api.newSpace();
    String job = api.createJob(space, "a");
    Response r = api.get("/api/v1/jobs/" + job, space.key());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("RateLimit-Limit")).isEqualTo("1000");
    assertThat(Integer.parseInt(r.header("RateLimit-Remaining"))).isBetween(900, 999);
    assertThat(r.header("RateLimit-Reset")).isIn("0", "1");
    assertThat(
            api.get("/api/v1/jobs/" + job, "emit_unknown-key-0123456789").header("RateLimit-Limit"))
        .as("an unknown key is refused before any bucket")
        .isNull();
  }

  @Test
  void aKeyOverItsOwnLimitGets429WithRetryAfterAndRecoversAfterIt() throws Exception {
    TestSpace space = api.newSpace();
    String job = api.createJob(space, "a");
    Key key = newKey(space);
    Response patched = limit(key.id(), "2");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("rateLimitPerSecond").asInt()).isEqualTo(2);
    assertThat(patched.json().has("key")).as("never the secret").isFalse();

    List<Response> responses = new ArrayList<>();
    Response refused = null;
    for (int i = 0; i < 50 && refused == null; i++) {
      Response r = api.get("/api/v1/jobs/" + job, key.key());
      responses.add(r);
      if (r.status() == 429) {
        refused = r;
      }
    }
    assertThat(refused).as("the bucket of 2 empties within 50 quick requests").isNotNull();
    assertThat(responses.size()).isGreaterThanOrEqualTo(3);
    assertThat(responses.get(0).status()).isEqualTo(200);
    assertThat(responses.get(0).header("RateLimit-Limit")).isEqualTo("2");
    assertThat(responses.get(0).header("RateLimit-Remaining")).isEqualTo("1");
    assertThat(refused.error()).isEqualTo("Rate limit exceeded");
    assertThat(refused.json().get("code").asString()).isEqualTo("rate_limited");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(refused.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(refused.header("RateLimit-Limit")).isEqualTo("2");

    // other keys, even of the same space, have their own buckets
    assertThat(api.get("/api/v1/jobs/" + job, space.key()).status()).isEqualTo(200);

    Thread.sleep(Long.parseLong(refused.header("Retry-After")) * 1000);
    assertThat(api.get("/api/v1/jobs/" + job, key.key()).status()).isEqualTo(200);

    Response reset = limit(key.id(), "null");
    assertThat(reset.status()).isEqualTo(200);
    assertThat(reset.json().get("rateLimitPerSecond").isNull()).isTrue();
    assertThat(api.get("/api/v1/jobs/" + job, key.key()).header("RateLimit-Limit"))
        .isEqualTo("1000");
  }

  @Test
  void aLimitOfZeroLiftsTheLimitForThatKey() {
    TestSpace space = api.newSpace();
    String job = api.createJob(space, "a");
    Key key = newKey(space);
    assertThat(limit(key.id(), "0").status()).isEqualTo(200);
    Response r = api.get("/api/v1/jobs/" + job, key.key());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("RateLimit-Limit")).isNull();
  }

  @Test
  void theLimitIsValidatedAndOnlyAnAdminMaySetIt() {
    TestSpace space = api.newSpace();
    Key key = newKey(space);
    for (String bad :
        List.of("-1", "1.5", "\"10\"", "1000001", "1" + "0".repeat(30), "-" + "9".repeat(30))) {
      Response r = limit(key.id(), bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().at("/details/0/field").asString()).isEqualTo("rateLimitPerSecond");
    }
    assertThat(api.patch("/api/v1/keys/" + key.id(), api.adminKey(), "{}").status()).isEqualTo(400);
    assertThat(
            api.patch("/api/v1/keys/" + key.id(), space.key(), "{\"rateLimitPerSecond\":5}")
                .status())
        .isEqualTo(403);
    assertThat(limit("01JUNKNOWNKEY0000000000000", "5").status()).isEqualTo(404);
  }
}
