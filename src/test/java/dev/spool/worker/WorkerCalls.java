package dev.spool.worker;

import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The worker API through real HTTP, for tests: one method per call, raw responses back. */
public final class WorkerCalls {

  private final TestApi api;
  private final TestSpace space;

  public WorkerCalls(TestApi api, TestSpace space) {
    this.api = api;
    this.space = space;
  }

  public Response poll(String body) {
    return api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", space.key(), body);
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
    return api.post("/api/v1/spaces/" + space.id() + "/jobs/" + action, space.key(), body);
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
    return api.post("/api/v1/jobs/" + jobId + "/" + action, space.key(), body, headers);
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

  public JsonNode job(String jobId) {
    Response r = api.get("/api/v1/jobs/" + jobId, space.key());
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
