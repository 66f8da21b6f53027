package dev.spool.support;

import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The one way for a test to move a job through the worker API over real HTTP: one method per call
 * with the raw response back, and short forms ({@link #deliver}, {@link #start}, {@link
 * #completeWith}…) that assert 200. To put a job in a state without driving it there, use {@link
 * JobFactory}.
 */
public final class WorkerCalls {

  private final TestApi api;
  private final TestSpace space;
  private final String key;

  public WorkerCalls(TestApi api, TestSpace space) {
    this(api, space, space.key());
  }

  private WorkerCalls(TestApi api, TestSpace space, String key) {
    this.api = api;
    this.space = space;
    this.key = key;
  }

  /** Calls on jobs of any space with the admin key (no poll or batch: those name a space). */
  public static WorkerCalls admin(TestApi api) {
    return new WorkerCalls(api, null, api.adminKey());
  }

  public Response poll(String body) {
    return api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", key, body);
  }

  /** Polls and returns the {@code jobs} array (asserting 200). */
  public JsonNode pollJobs(String body) {
    Response r = poll(body);
    TestApi.require(r, 200);
    return r.json().get("jobs");
  }

  public Response claim(String jobId) {
    return action(jobId, "claim", null, null);
  }

  public Response ack(String jobId, String deliveryId) {
    return action(jobId, "ack", null, deliveryId);
  }

  public Response complete(String jobId, String body, String deliveryId) {
    return action(jobId, "complete", body, deliveryId);
  }

  public Response fail(String jobId, String body, String deliveryId) {
    return action(jobId, "fail", body, deliveryId);
  }

  public Response kill(String jobId, String body) {
    return action(jobId, "kill", body, null);
  }

  /** A batch transition: {@code POST /spaces/:id/jobs/<action>} with a JSON body. */
  public Response batch(String action, String body) {
    return api.post("/api/v1/spaces/" + space.id() + "/jobs/" + action, key, body);
  }

  /** A batch transition's {@code results} (asserting 200). */
  public JsonNode batchResults(String action, String body) {
    Response r = batch(action, body);
    TestApi.require(r, 200);
    return r.json().get("results");
  }

  public Response action(String jobId, String action, String body, String deliveryId) {
    Map<String, String> headers = new HashMap<>();
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    if (deliveryId != null) {
      headers.put("x-delivery-id", deliveryId);
    }
    return api.post("/api/v1/jobs/" + jobId + "/" + action, key, body, headers);
  }

  /** Claims the pending job (pending → delivered) and returns its delivery id. */
  public String deliver(String jobId) {
    Response r = claim(jobId);
    TestApi.require(r, 200);
    return r.json().get("deliveryId").asString();
  }

  /** Claims and acks the pending job (pending → running) and returns its delivery id. */
  public String start(String jobId) {
    String delivery = deliver(jobId);
    TestApi.require(ack(jobId, delivery), 200);
    return delivery;
  }

  /** Completes the running job without a result. */
  public void complete(String jobId) {
    TestApi.require(complete(jobId, null, null), 200);
  }

  /** Completes the delivered or running job with {@code resultJson} (JSON text). */
  public void completeWith(String jobId, String resultJson) {
    TestApi.require(complete(jobId, "{\"result\":" + resultJson + "}", null), 200);
  }

  /** Claims and completes each pending job with {@code resultJson}. */
  public void claimAndComplete(String resultJson, String... jobIds) {
    for (String id : jobIds) {
      deliver(id);
      completeWith(id, resultJson);
    }
  }

  /** Kills each job, whichever active state it is in, with {@code reason} (null: the default). */
  public void killNow(String reason, String... jobIds) {
    String body = reason == null ? null : TestApi.JSON.writeValueAsString(Map.of("reason", reason));
    for (String id : jobIds) {
      TestApi.require(kill(id, body), 200);
    }
  }

  /** Reports progress on the running job. */
  public void progress(String jobId, int percent, String message) {
    TestApi.require(
        action(
            jobId,
            "progress",
            TestApi.JSON.writeValueAsString(Map.of("percent", percent, "message", message)),
            null),
        200);
  }

  /** Appends a custom event to the running job. */
  public void event(String jobId, String type, String dataJson) {
    TestApi.require(
        action(
            jobId,
            "event",
            "{\"type\":" + TestApi.JSON.writeValueAsString(type) + ",\"data\":" + dataJson + "}",
            null),
        200);
  }

  public JsonNode job(String jobId) {
    Response r = api.get("/api/v1/jobs/" + jobId, key);
    TestApi.require(r, 200);
    return r.json();
  }

  /** The types of the job's recent events, oldest first (from {@code GET /jobs/:id}). */
  public List<String> eventTypes(String jobId) {
    return job(jobId).get("events").valueStream().map(e -> e.get("type").asString()).toList();
  }

  public String status(String jobId) {
    return job(jobId).get("status").asString();
  }
}
