package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Base of the webhook integration tests that deliver: 127.0.0.0/8 is allowed (the receivers run
 * there), retries are fast, timeouts short, and DNS is the made-up name map of {@link
 * dev.spool.support.MadeUpDns}. Subclasses share one application context.
 */
@TestPropertySource(
    properties = {
      "spool.callbacks.allowed-cidrs=127.0.0.0/8",
      "spool.callbacks.retry-delays=100ms,200ms",
      "spool.callbacks.connect-timeout=1s",
      "spool.callbacks.response-timeout=1s",
      "spool.callbacks.poll-interval=200ms"
    })
abstract class CallbackTest extends IntegrationTest {

  static final Duration WAIT = Duration.ofSeconds(20);

  /** Creates one job with a callback and returns its id. */
  String jobWithCallback(TestSpace space, String url, Map<String, String> headers) {
    Map<String, Object> job = new java.util.LinkedHashMap<>();
    job.put("name", "send-report");
    job.put("callbackUrl", url);
    if (!headers.isEmpty()) {
      job.put("callbackHeaders", headers);
    }
    return api.createJobs(space, TestApi.JSON.writeValueAsString(job)).get(0);
  }

  /** The worker API with the admin key: claims, completes and kills jobs of any space. */
  WorkerCalls worker;

  @BeforeEach
  void adminWorker() {
    worker = WorkerCalls.admin(api);
  }

  /** Waits until the job has at least {@code n} callback attempts and returns them all. */
  JsonNode awaitAttempts(TestSpace space, String jobId, int n) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    JsonNode attempts = null;
    while (System.nanoTime() < end) {
      TestApi.Response r = api.get("/api/v1/jobs/" + jobId + "/callbacks", space.key());
      TestApi.require(r, 200);
      attempts = r.json();
      if (attempts.size() >= n) {
        return attempts;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("expected " + n + " callback attempts, got " + attempts);
  }

  /** The job's events of the given types, oldest first. */
  List<JsonNode> events(TestSpace space, String jobId, String... types) {
    JsonNode job = api.get("/api/v1/jobs/" + jobId, space.key()).json();
    List<String> wanted = List.of(types);
    List<JsonNode> out = new ArrayList<>();
    job.get("events")
        .forEach(
            e -> {
              if (wanted.contains(e.get("type").asString())) {
                out.add(e);
              }
            });
    return out;
  }

  String status(TestSpace space, String jobId) {
    return api.get("/api/v1/jobs/" + jobId, space.key()).json().get("status").asString();
  }

  /** After a quiet period, the receiver has still seen exactly {@code expected} requests. */
  static void assertReceivedExactly(Receiver receiver, int expected, Duration quiet)
      throws InterruptedException {
    Thread.sleep(quiet.toMillis());
    assertThat(receiver.all()).as("requests received").hasSize(expected);
  }
}
