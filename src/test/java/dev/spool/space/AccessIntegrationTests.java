package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API keys and scopes (docs/api.md §2) on every endpoint that exists: missing, unknown and revoked
 * keys are 401; a missing scope or another space's key is 403; unknown jobs and spaces are 404.
 */
class AccessIntegrationTests extends IntegrationTest {

  static final String UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

  TestSpace space;
  TestSpace other;
  String jobId;

  @BeforeEach
  void spaces() {
    space = api.newSpace();
    other = api.newSpace();
    jobId = api.createJob(space, "guarded");
  }

  /** One call of an endpoint, made with the given key. */
  interface Call {
    Response with(String key);
  }

  Call createJob(String spaceId) {
    return key -> api.post("/api/v1/spaces/" + spaceId + "/jobs", key, "{\"name\":\"a\"}");
  }

  Call getJob(String id) {
    return key -> api.get("/api/v1/jobs/" + id, key);
  }

  /** Every admin endpoint, addressed at a real space and key where it needs one. */
  Map<String, Call> adminCalls() {
    String keyId = firstKeyId(space.id());
    Map<String, Call> calls = new java.util.LinkedHashMap<>();
    calls.put("POST /spaces", key -> api.post("/api/v1/spaces", key, "{\"name\":\"x\"}"));
    calls.put("GET /spaces", key -> api.get("/api/v1/spaces", key));
    calls.put("GET /spaces/:id", key -> api.get("/api/v1/spaces/" + space.id(), key));
    calls.put(
        "PATCH /spaces/:id",
        key -> api.patch("/api/v1/spaces/" + space.id(), key, "{\"name\":\"y\"}"));
    calls.put("DELETE /spaces/:id", key -> api.delete("/api/v1/spaces/" + other.id(), key));
    calls.put(
        "POST /spaces/:id/signing-secret",
        key -> api.post("/api/v1/spaces/" + space.id() + "/signing-secret", key, null, Map.of()));
    calls.put(
        "POST /spaces/:id/keys",
        key ->
            api.post(
                "/api/v1/spaces/" + space.id() + "/keys",
                key,
                "{\"name\":\"k\",\"scopes\":[\"jobs:read\"]}"));
    calls.put(
        "GET /spaces/:id/keys", key -> api.get("/api/v1/spaces/" + space.id() + "/keys", key));
    calls.put("DELETE /keys/:id", key -> api.delete("/api/v1/keys/" + keyId, key));
    return calls;
  }

  String firstKeyId(String spaceId) {
    return jdbc.sql("SELECT id FROM api_keys WHERE space_id = :s ORDER BY id LIMIT 1")
        .param("s", spaceId)
        .query(String.class)
        .single();
  }

  List<Call> everyEndpoint() {
    List<Call> calls = new ArrayList<>(List.of(createJob(space.id()), getJob(jobId)));
    calls.addAll(adminCalls().values());
    return calls;
  }

  static void assertError(Response r, int status, String error) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.error()).isEqualTo(error);
  }

  @Test
  void everyEndpointAnswers401WithoutAKey() {
    for (Call call : everyEndpoint()) {
      assertError(call.with(null), 401, "Missing API key");
    }
  }

  @Test
  void everyEndpointAnswers401ForAnUnknownKey() {
    for (Call call : everyEndpoint()) {
      assertError(
          call.with("emit_nobody-has-this-key-0000000000000000000"), 401, "Invalid API key");
      assertError(call.with("x"), 401, "Invalid API key");
    }
  }

  @Test
  void everyEndpointAnswers401ForARevokedKey() {
    String key = api.newKey(space.id(), List.of("jobs:create", "jobs:read"));
    String keyId = keyIdOf(key);
    assertThat(api.delete("/api/v1/keys/" + keyId, api.adminKey()).status()).isEqualTo(200);
    for (Call call : everyEndpoint()) {
      assertError(call.with(key), 401, "Invalid API key");
    }
  }

  @Test
  void aBearerTokenWorksLikeTheApiKeyHeader() {
    Response r =
        api.send(
            api.builder("/api/v1/jobs/" + jobId, null)
                .header("Authorization", "Bearer " + space.key())
                .GET()
                .build());
    assertThat(r.status()).isEqualTo(200);
    Response created =
        api.send(
            api.builder("/api/v1/spaces/" + space.id() + "/jobs", null)
                .header("Authorization", "bearer " + space.key())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"b\"}"))
                .build());
    assertThat(created.status()).isEqualTo(201);
    Response wrong =
        api.send(
            api.builder("/api/v1/jobs/" + jobId, null)
                .header("Authorization", "Basic " + space.key())
                .GET()
                .build());
    assertError(wrong, 401, "Missing API key");
  }

  @Test
  void creatingJobsNeedsJobsCreate() {
    String key = api.newKey(space.id(), List.of("jobs:worker", "jobs:kill", "jobs:read:progress"));
    assertError(createJob(space.id()).with(key), 403, "Missing required scope: jobs:create");
    assertError(
        createJob(space.id()).with(space.publicKey()), 403, "Missing required scope: jobs:create");
    String only = api.newKey(space.id(), List.of("jobs:create"));
    assertThat(createJob(space.id()).with(only).status()).isEqualTo(201);
  }

  @Test
  void readingAJobNeedsJobsRead() {
    String key =
        api.newKey(
            space.id(),
            List.of("jobs:create", "jobs:write", "jobs:poll", "jobs:kill", "jobs:read:progress"));
    assertError(getJob(jobId).with(key), 403, "Missing required scope: jobs:read");
    assertError(getJob(jobId).with(space.publicKey()), 403, "Missing required scope: jobs:read");
    String only = api.newKey(space.id(), List.of("jobs:read"));
    assertThat(getJob(jobId).with(only).status()).isEqualTo(200);
  }

  @Test
  void aSpaceKeyCannotTouchAnotherSpace() {
    assertError(createJob(space.id()).with(other.key()), 403, "API key cannot access this space");
    assertError(getJob(jobId).with(other.key()), 403, "API key cannot access this space");
    // even a space that does not exist: a bound key learns nothing about other spaces
    assertError(createJob(UNKNOWN_ID).with(space.key()), 403, "API key cannot access this space");
    assertError(createJob("not-an-id").with(space.key()), 403, "API key cannot access this space");
  }

  @Test
  void theAnswerForAnotherSpacesJobLeaksNothingOfIt() {
    Response r = getJob(jobId).with(other.key());
    assertThat(r.body()).doesNotContain("guarded").doesNotContain(space.id());
  }

  @Test
  void unknownJobsAndSpacesAre404() {
    assertError(getJob(UNKNOWN_ID).with(space.key()), 404, "Job not found");
    assertError(getJob("not-a-ulid").with(space.key()), 404, "Job not found");
    assertError(createJob(UNKNOWN_ID).with(api.adminKey()), 404, "Space not found");
    assertError(createJob("nope").with(api.adminKey()), 404, "Space not found");
    assertError(api.get("/api/v1/spaces/" + UNKNOWN_ID, api.adminKey()), 404, "Space not found");
    assertError(
        api.get("/api/v1/spaces/" + UNKNOWN_ID + "/keys", api.adminKey()), 404, "Space not found");
    assertError(
        api.patch("/api/v1/spaces/" + UNKNOWN_ID, api.adminKey(), "{\"name\":\"n\"}"),
        404,
        "Space not found");
    assertError(api.delete("/api/v1/spaces/" + UNKNOWN_ID, api.adminKey()), 404, "Space not found");
    assertError(
        api.post(
            "/api/v1/spaces/" + UNKNOWN_ID + "/keys",
            api.adminKey(),
            "{\"name\":\"k\",\"scopes\":[\"jobs:read\"]}"),
        404,
        "Space not found");
    assertError(
        api.post(
            "/api/v1/spaces/" + UNKNOWN_ID + "/signing-secret", api.adminKey(), null, Map.of()),
        404,
        "Space not found");
    assertError(api.delete("/api/v1/keys/" + UNKNOWN_ID, api.adminKey()), 404, "Key not found");
  }

  @Test
  void theAdminKeyReachesEverySpace() {
    assertThat(getJob(jobId).with(api.adminKey()).status()).isEqualTo(200);
    assertThat(createJob(other.id()).with(api.adminKey()).status()).isEqualTo(201);
  }

  @Test
  void everyAdminEndpointNeedsTheAdminScope() {
    String everyJobScope =
        api.newKey(
            space.id(), List.of("jobs:create", "jobs:worker", "jobs:kill", "jobs:read:progress"));
    adminCalls()
        .forEach(
            (name, call) -> {
              Response r = call.with(everyJobScope);
              assertThat(r.status()).as(name + " " + r.body()).isEqualTo(403);
              assertThat(r.error()).as(name).isEqualTo("Missing required scope: admin");
            });
  }

  @Test
  void everyAdminEndpointWorksWithTheAdminKey() {
    adminCalls()
        .forEach(
            (name, call) -> {
              Response r = call.with(api.adminKey());
              assertThat(r.status()).as(name + " " + r.body()).isIn(200, 201);
            });
  }

  @Test
  void aKeyRevokedElsewhereStopsWorkingWithinTheCacheTtl() throws Exception {
    String key = api.newKey(space.id(), List.of("jobs:read"));
    assertThat(getJob(jobId).with(key).status()).isEqualTo(200); // now cached
    // Another instance revokes it: only the database changes, this instance's cache does not.
    jdbc.sql("UPDATE api_keys SET revoked_at = now() WHERE key_hash = :h")
        .param("h", ApiKeys.hash(key))
        .update();
    long start = System.nanoTime();
    Duration limit = Duration.ofSeconds(5).plusSeconds(2);
    int status = 200;
    while (status == 200 && System.nanoTime() - start < limit.toNanos()) {
      status = getJob(jobId).with(key).status();
      if (status == 200) {
        Thread.sleep(100);
      }
    }
    assertThat(status).isEqualTo(401);
  }

  @Test
  void theDatabaseHoldsNoSecretKey() {
    String key = api.newKey(space.id(), List.of("jobs:create"));
    List<String> secrets = List.of(key, space.key(), other.key(), api.adminKey());
    List<String> tables =
        jdbc.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " AND table_type = 'BASE TABLE'")
            .query(String.class)
            .list();
    assertThat(tables).contains("api_keys", "spaces", "jobs");
    for (String table : tables) {
      for (String secret : secrets) {
        long hits =
            jdbc.sql("SELECT count(*) FROM \"" + table + "\" t WHERE strpos(t::text, :secret) > 0")
                .param("secret", secret)
                .query(Long.class)
                .single();
        assertThat(hits).as(table + " holds a secret key").isZero();
      }
    }
    // what is stored: the SHA-256 hash and a short display prefix
    Map<String, Object> row =
        jdbc.sql("SELECT key_hash, prefix FROM api_keys WHERE key_hash = :h")
            .param("h", ApiKeys.hash(key))
            .query()
            .singleRow();
    assertThat((String) row.get("key_hash")).hasSize(64);
    assertThat(key).startsWith((String) row.get("prefix"));
    assertThat((String) row.get("prefix")).hasSize("emit_".length() + 8);
  }

  @Test
  void thePublicProgressKeyIsTheOneKeyKeptReadable() {
    String stored =
        jdbc.sql("SELECT public_key FROM spaces WHERE id = :s")
            .param("s", space.id())
            .query(String.class)
            .single();
    assertThat(stored).isEqualTo(space.publicKey());
    List<String> scopes =
        jdbc.sql("SELECT unnest(scopes) FROM api_keys WHERE key_hash = :h")
            .param("h", ApiKeys.hash(space.publicKey()))
            .query(String.class)
            .list();
    assertThat(scopes).containsExactly("jobs:read:progress");
  }

  String keyIdOf(String key) {
    return jdbc.sql("SELECT id FROM api_keys WHERE key_hash = :h")
        .param("h", ApiKeys.hash(key))
        .query(String.class)
        .single();
  }
}
