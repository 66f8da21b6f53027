package dev.spool.realtime;

import dev.spool.support.TestApi;
import java.util.Map;

/**
 * Job transitions for the realtime tests through the real worker endpoints (claim, ack, progress,
 * event, complete, kill), with the admin key so one helper serves every space.
 */
final class ApiTransitions {

  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

  private final TestApi api;

  ApiTransitions(TestApi api) {
    this.api = api;
  }

  /** pending → delivered → running. */
  void start(String jobId) {
    call(jobId, "claim", null);
    call(jobId, "ack", null);
  }

  void progress(String jobId, int percent, String message) {
    call(jobId, "progress", "{\"percent\":%d,\"message\":\"%s\"}".formatted(percent, message));
  }

  void complete(String jobId, String resultJson) {
    call(jobId, "complete", "{\"result\":" + resultJson + "}");
  }

  /**
   * Kills the job, whichever active state it is in ({@code from} documents the caller's intent).
   */
  void kill(String jobId, String from) {
    call(jobId, "kill", null);
  }

  void customEvent(String jobId, String type, String dataJson) {
    call(jobId, "event", "{\"type\":\"" + type + "\",\"data\":" + dataJson + "}");
  }

  private void call(String jobId, String action, String body) {
    TestApi.Response r =
        api.post(
            "/api/v1/jobs/" + jobId + "/" + action,
            api.adminKey(),
            body,
            body == null ? Map.of() : JSON);
    TestApi.require(r, 200);
  }
}
