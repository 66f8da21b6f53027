package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.ApiContract;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Drives every documented REST operation once through {@link TestApi}, whose every exchange is
 * validated against the served {@code /v3/api-docs} ({@link ApiContract}), and shows that the
 * validation catches what the description does not allow. The WebSocket upgrades are described but
 * checked by the realtime tests, not here.
 */
class ApiContractIntegrationTests extends IntegrationTest {

  @Test
  void everyDocumentedOperationIsExercisedAndMatchesTheDescription() {
    String admin = api.adminKey();
    TestSpace space = api.newSpace();
    String jobs = "/api/v1/spaces/" + space.id() + "/jobs";

    // the admin API
    TestApi.require(api.get("/api/v1/spaces", admin), 200);
    TestApi.require(api.get("/api/v1/spaces/" + space.id(), admin), 200);
    TestApi.require(
        api.patch("/api/v1/spaces/" + space.id(), admin, "{\"name\":\"renamed\"}"), 200);
    TestApi.require(api.post("/api/v1/spaces/" + space.id() + "/signing-secret", admin, null), 200);
    TestApi.require(api.get("/api/v1/spaces/" + space.id() + "/keys", admin), 200);
    Response key =
        api.post(
            "/api/v1/spaces/" + space.id() + "/keys",
            admin,
            "{\"name\":\"spare\",\"scopes\":[\"jobs:read\"]}");
    TestApi.require(key, 201);
    String keyId = key.json().get("id").asString();
    TestApi.require(api.patch("/api/v1/keys/" + keyId, admin, "{\"rateLimitPerSecond\":50}"), 200);
    TestApi.require(api.delete("/api/v1/keys/" + keyId, admin), 200);
    Response spare = api.post("/api/v1/spaces", admin, "{\"name\":\"spare\"}");
    TestApi.require(api.delete("/api/v1/spaces/" + spare.json().get("id").asString(), admin), 200);

    // any JSON as payload, result, event data and error
    TestApi.require(api.post(jobs, space.key(), "{\"name\":\"a\",\"payload\":[1,\"two\"]}"), 201);
    TestApi.require(api.post(jobs, space.key(), "[{\"name\":\"b\",\"payload\":\"text\"}]"), 201);
    String killed = api.createJob(space, "c");
    TestApi.require(api.get(jobs + "?limit=10", space.key()), 200);

    Response poll = api.post(jobs + "/poll", space.key(), "{\"count\":1,\"name\":\"a\"}");
    TestApi.require(poll, 200);
    String id = poll.json().get("jobs").get(0).get("id").asString();
    String job = "/api/v1/jobs/" + id;
    TestApi.require(api.post(job + "/ack", space.key(), null, Map.of()), 200);
    TestApi.require(
        api.post(job + "/progress", space.key(), "{\"percent\":50,\"message\":\"half\"}"), 200);
    TestApi.require(api.post(job + "/checkpoint", space.key(), "{\"step\":2}"), 200);
    TestApi.require(api.post(job + "/event", space.key(), "{\"type\":\"note\",\"data\":42}"), 200);
    TestApi.require(api.post(job + "/keepalive", space.key(), null, Map.of()), 200);
    TestApi.require(
        api.post(
            job + "/logs",
            space.key(),
            "{\"level\":\"info\",\"message\":\"hello\"}\n",
            Map.of("Content-Type", "application/x-ndjson")),
        200);
    TestApi.require(api.get(job + "/logs", space.key()), 200);
    TestApi.require(api.get(job + "/progress", space.key()), 200);
    TestApi.require(api.post(job + "/complete", space.key(), "{\"result\":[true,null]}"), 200);
    TestApi.require(api.get(job, space.key()), 200);
    TestApi.require(api.get(job + "/callbacks", space.key()), 200);

    String other = api.createJob(space, "d");
    TestApi.require(api.post("/api/v1/jobs/" + other + "/claim", space.key(), null, Map.of()), 200);
    TestApi.require(
        api.post("/api/v1/jobs/" + other + "/fail", space.key(), "{\"error\":{\"code\":7}}"), 200);
    TestApi.require(api.post("/api/v1/jobs/" + killed + "/kill", space.key(), null, Map.of()), 200);

    // the [ext] reads and actions: event paging, stats, retry, ack on poll and the batch calls
    TestApi.require(api.get(job + "/events?limit=2", space.key()), 200);
    TestApi.require(api.get("/api/v1/spaces/" + space.id() + "/stats?step=5m", space.key()), 200);
    TestApi.require(
        api.post("/api/v1/jobs/" + killed + "/retry", space.key(), null, Map.of()), 201);
    String e1 = api.createJob(space, "e");
    String e2 = api.createJob(space, "e");
    TestApi.require(api.post(jobs + "/poll", space.key(), "{\"count\":2,\"name\":\"e\"}"), 200);
    TestApi.require(
        api.post(jobs + "/ack", space.key(), "{\"jobs\":[{\"id\":\"" + e1 + "\"}]}"), 200);
    TestApi.require(
        api.post(
            jobs + "/complete",
            space.key(),
            "{\"jobs\":[{\"id\":\"" + e1 + "\",\"result\":[1]},{\"id\":\"" + e2 + "\"}]}"),
        200);
    String f = api.createJob(space, "f");
    TestApi.require(api.post(jobs + "/poll", space.key(), "{\"name\":\"f\",\"ack\":true}"), 200);
    TestApi.require(
        api.post(
            jobs + "/fail", space.key(), "{\"jobs\":[{\"id\":\"" + f + "\",\"error\":\"x\"}]}"),
        200);

    Set<String> missing = new TreeSet<>(ApiContract.documented(api.base()));
    missing.removeIf(op -> op.contains("/realtime/"));
    missing.removeAll(ApiContract.seen(api.base()));
    assertThat(missing).as("documented operations this test did not exercise").isEmpty();
  }

  @Test
  void theValidationRejectsWhatTheDescriptionDoesNotAllow() {
    String ack = "/api/v1/jobs/01JLQX0000000000000000000/ack";
    String json = "application/json";

    assertThat(ApiContract.responseProblems(api.base(), "POST", ack, 418, json, "{}"))
        .as("an undocumented status")
        .isNotEmpty();
    assertThat(ApiContract.responseProblems(api.base(), "POST", ack, 409, json, "{\"error\":5}"))
        .as("an error body whose error is not a string")
        .isNotEmpty();
    assertThat(
            ApiContract.responseProblems(api.base(), "POST", ack, 503, json, "{\"error\":\"x\"}"))
        .as("a documented error")
        .isEmpty();
  }
}
