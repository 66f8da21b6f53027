package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class WorkerEventsIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  String runningJob() {
    return jobs.in(space).name("encode").status(JobStatus.RUNNING).insert();
  }

  /** A running job whose execution timeout ends in five seconds. */
  String runningJobDueSoon() {
    return jobs.in(space)
        .name("encode")
        .status(JobStatus.RUNNING)
        .deadlineAt(Instant.now().plusSeconds(5))
        .insert();
  }

  Response post(String jobId, String action, String body) {
    return api.post("/api/v1/jobs/" + jobId + "/" + action, space.key(), body);
  }

  JsonNode job(String id) {
    return api.get("/api/v1/jobs/" + id, space.key()).json();
  }

  List<String> eventTypes(String id) {
    return job(id).get("events").valueStream().map(e -> e.get("type").asString()).toList();
  }

  long secondsToDeadline(String id) {
    OffsetDateTime deadline =
        jdbc.sql("SELECT deadline_at FROM jobs WHERE id = :id")
            .param("id", id)
            .query(OffsetDateTime.class)
            .single();
    OffsetDateTime now = jdbc.sql("SELECT now()").query(OffsetDateTime.class).single();
    return java.time.Duration.between(now, deadline).toSeconds();
  }

  @Test
  void progressIsStoredOnTheJobAndAppendedAsAnEvent() {
    String id = runningJob();
    Response r =
        post(
            id,
            "progress",
            """
            {"percent": 65, "message": "Encoding video", "extra": true,
             "subProgress": {"download": {"percent": 100, "message": "Source fetched"},
                             "transcode": {"percent": 42.5}}}""");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("jobId").asString()).isEqualTo(id);
    JsonNode progress = job(id).get("progress");
    assertThat(progress.get("percent").asInt()).isEqualTo(65);
    assertThat(progress.get("message").asString()).isEqualTo("Encoding video");
    assertThat(progress.get("subProgress").get("download").get("message").asString())
        .isEqualTo("Source fetched");
    assertThat(progress.get("subProgress").get("transcode").get("percent").asDouble())
        .isEqualTo(42.5);
    assertThat(progress.get("subProgress").get("transcode").get("message").isNull()).isTrue();
    assertThat(progress.get("updatedAt").asString()).matches("\\d{4}-.*T.*\\.\\d{3}Z");
    assertThat(progress.has("extra")).isFalse();
    JsonNode last = job(id).get("events").get(3);
    assertThat(last.get("type").asString()).isEqualTo("progress");
    assertThat(last.get("data").get("percent").asInt()).isEqualTo(65);

    JsonNode read = api.get("/api/v1/jobs/" + id + "/progress", space.publicKey()).json();
    assertThat(read.get("jobId").asString()).isEqualTo(id);
    assertThat(read.get("status").asString()).isEqualTo("running");
    assertThat(read.get("progress").get("message").asString()).isEqualTo("Encoding video");
  }

  @Test
  void progressCheckpointAndKeepaliveRestartTheExecutionTimeoutButACustomEventDoesNot() {
    for (String[] call :
        new String[][] {
          {"progress", "{\"percent\":1,\"message\":\"m\"}"},
          {"checkpoint", "{\"at\":1}"},
          {"keepalive", null}
        }) {
      String id = runningJobDueSoon();
      assertThat(secondsToDeadline(id)).as(call[0]).isLessThanOrEqualTo(5);
      Response r =
          call[1] == null
              ? api.post("/api/v1/jobs/" + id + "/keepalive", space.key(), null, Map.of())
              : post(id, call[0], call[1]);
      assertThat(r.status()).as(call[0]).isEqualTo(200);
      assertThat(secondsToDeadline(id)).as(call[0]).isGreaterThan(290);
      assertThat(eventTypes(id))
          .as(call[0])
          .containsExactly("created", "delivered", "acked", call[0]);
    }
    String id = runningJobDueSoon();
    assertThat(post(id, "event", "{\"type\":\"frame\",\"data\":{\"n\":3}}").status())
        .isEqualTo(200);
    assertThat(secondsToDeadline(id)).isLessThanOrEqualTo(5);
    assertThat(eventTypes(id)).containsExactly("created", "delivered", "acked", "frame");
    assertThat(job(id).get("events").get(3).get("data").get("n").asInt()).isEqualTo(3);
  }

  @Test
  void badProgressIsA400NamingTheField() {
    String id = runningJob();
    assertThat(post(id, "progress", "{\"percent\":101,\"message\":\"m\"}").error())
        .isEqualTo("percent must be a number between 0 and 100");
    assertThat(post(id, "progress", "{\"percent\":-1,\"message\":\"m\"}").status()).isEqualTo(400);
    assertThat(post(id, "progress", "{\"percent\":\"50\",\"message\":\"m\"}").status())
        .isEqualTo(400);
    assertThat(post(id, "progress", "{\"percent\":50,\"message\":\"\"}").error())
        .isEqualTo("message must be a non-empty string");
    assertThat(post(id, "progress", "{\"percent\":50}").error()).isEqualTo("message is required");
    Response stage =
        post(id, "progress", "{\"percent\":50,\"message\":\"m\",\"subProgress\":{\"a\":5}}");
    assertThat(stage.status()).isEqualTo(400);
    assertThat(stage.error()).isEqualTo("subProgress.a must be an object with percent and message");
    assertThat(
            post(
                    id,
                    "progress",
                    "{\"percent\":50,\"message\":\"m\",\"subProgress\":{\"a\":{\"percent\":200}}}")
                .error())
        .isEqualTo("subProgress.a.percent must be a number between 0 and 100");
    assertThat(
            post(id, "progress", "{\"percent\":50,\"message\":\"m\",\"subProgress\":[1]}").status())
        .isEqualTo(400);
    Response both = post(id, "progress", "{\"percent\":101,\"message\":\"\"}");
    assertThat(both.json().get("details")).hasSize(2);
    assertThat(post(id, "progress", "[1]").status()).isEqualTo(400);
    assertThat(post(id, "progress", "{bad").error()).isEqualTo("Malformed JSON body");
    assertThat(job(id).get("progress").isNull()).isTrue();
    assertThat(eventTypes(id)).containsExactly("created", "delivered", "acked");
  }

  @Test
  void workerEventsOnAJobThatIsNotRunningAre409AndChangeNothing() {
    String pending = api.createJob(space, "encode");
    Response r = post(pending, "progress", "{\"percent\":5,\"message\":\"m\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).isEqualTo("Job is not running (status: pending)");
    assertThat(post(pending, "checkpoint", "{}").status()).isEqualTo(409);
    assertThat(post(pending, "event", "{\"type\":\"x\"}").status()).isEqualTo(409);
    assertThat(
            api.post("/api/v1/jobs/" + pending + "/keepalive", space.key(), null, Map.of())
                .status())
        .isEqualTo(409);

    String done = jobs.in(space).status(JobStatus.COMPLETED).insert();
    assertThat(post(done, "progress", "{\"percent\":5,\"message\":\"m\"}").error())
        .isEqualTo("Job is completed");
    assertThat(eventTypes(pending)).containsExactly("created");
    assertThat(eventTypes(done)).containsExactly("created", "delivered", "acked", "completed");
  }

  @Test
  void aStaleDeliveryIdIs409AndTheCurrentOneIsAccepted() {
    String id = api.createJob(space, "encode");
    String delivery = worker.start(id);
    Response stale =
        api.post(
            "/api/v1/jobs/" + id + "/checkpoint",
            space.key(),
            "{\"a\":1}",
            Map.of("Content-Type", "application/json", "x-delivery-id", "someone-else"));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().get("code").asString()).isEqualTo("stale_delivery");
    Response current =
        api.post(
            "/api/v1/jobs/" + id + "/checkpoint",
            space.key(),
            "{\"a\":1}",
            Map.of("Content-Type", "application/json", "x-delivery-id", delivery));
    assertThat(current.status()).isEqualTo(200);
    assertThat(eventTypes(id)).containsExactly("created", "delivered", "acked", "checkpoint");
  }

  @Test
  void aCheckpointOfAttemptZeroIsVisibleToTheNextAttempt() {
    String id = runningJob();
    assertThat(post(id, "checkpoint", "{\"processed_frames\":1500,\"last_offset\":45000}").status())
        .isEqualTo(200);
    TestApi.require(worker.fail(id, "{\"error\":\"again\"}", null), 200);
    worker.start(id);

    JsonNode job = job(id);
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    JsonNode checkpoint =
        job.get("events")
            .valueStream()
            .filter(e -> e.get("type").asString().equals("checkpoint"))
            .findFirst()
            .orElseThrow();
    assertThat(checkpoint.get("attemptNumber").asInt()).isZero();
    assertThat(checkpoint.get("data").get("last_offset").asInt()).isEqualTo(45000);
  }

  @Test
  void checkpointAndEventBodiesAreValidated() {
    String id = runningJob();
    assertThat(post(id, "checkpoint", "[1,2]").error())
        .isEqualTo("Checkpoint must be a JSON object");
    assertThat(post(id, "checkpoint", "").status()).isEqualTo(400);
    String big = "{\"blob\":\"" + "x".repeat(1024 * 1024) + "\"}";
    assertThat(post(id, "checkpoint", big).status()).isEqualTo(413);
    assertThat(post(id, "event", "{\"type\":\"frame\",\"data\":" + big + "}").status())
        .isEqualTo(413);
    assertThat(post(id, "event", "{\"data\":1}").error()).isEqualTo("type is required");
    assertThat(post(id, "event", "{\"type\":\"\"}").status()).isEqualTo(400);
    assertThat(post(id, "event", "{\"type\":\"" + "t".repeat(101) + "\"}").status()).isEqualTo(400);
    assertThat(post(id, "event", "{\"type\":\"completed\"}").error()).contains("reserved");
    assertThat(post(id, "event", "{\"type\":\"retried_as\"}").error()).contains("reserved");
    assertThat(post(id, "event", "{\"type\":\"" + "t".repeat(100) + "\"}").status()).isEqualTo(200);
    assertThat(
            api.post(
                    "/api/v1/jobs/" + id + "/checkpoint",
                    space.key(),
                    "{}",
                    Map.of("Content-Type", "text/plain"))
                .status())
        .isEqualTo(415);
  }

  @Test
  void scopesAndSpacesAreEnforced() {
    String id = runningJob();
    String readOnly = api.newKey(space.id(), List.of("jobs:read"));
    Response r =
        api.post("/api/v1/jobs/" + id + "/progress", readOnly, "{\"percent\":1,\"message\":\"m\"}");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.error()).isEqualTo("Missing required scope: jobs:progress");
    assertThat(api.post("/api/v1/jobs/" + id + "/event", readOnly, "{\"type\":\"x\"}").error())
        .isEqualTo("Missing required scope: jobs:event");

    TestSpace other = api.newSpace();
    assertThat(api.post("/api/v1/jobs/" + id + "/checkpoint", other.key(), "{}").status())
        .isEqualTo(403);
    assertThat(post("01ARZ3NDEKTSV4RRFFQ69G5FAV", "checkpoint", "{}").status()).isEqualTo(404);
    assertThat(post("not-an-id", "checkpoint", "{}").status()).isEqualTo(404);
    assertThat(api.post("/api/v1/jobs/" + id + "/checkpoint", api.adminKey(), "{}").status())
        .isEqualTo(200);
  }
}
