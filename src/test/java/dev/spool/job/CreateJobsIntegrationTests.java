package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CreateJobsIntegrationTests extends IntegrationTest {

  static final String SEED_ARRAY =
      """
      [
        {
          "name": "process-video",
          "payload": { "url": "s3://bucket/video.mp4", "format": "720p" },
          "maxRetries": 5,
          "timeoutSeconds": 600,
          "callbackUrl": "https://example.com/webhooks/jobs",
          "callbackHeaders": { "Authorization": "Bearer your-secret" }
        },
        {
          "name": "generate-thumbnail",
          "payload": { "url": "s3://bucket/video.mp4", "size": "small" }
        }
      ]""";

  @Test
  void theSeedPagesArrayCreatesTwoJobsInRequestOrder() {
    TestSpace space = api.newSpace();
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), SEED_ARRAY);

    assertThat(r.status()).isEqualTo(201);
    JsonNode refs = r.json();
    assertThat(refs.isArray()).isTrue();
    assertThat(refs).hasSize(2);
    assertThat(refs.get(0).propertyNames()).containsExactlyInAnyOrder("id", "spaceId");
    assertThat(refs.get(0).get("spaceId").asString()).isEqualTo(space.id());
    assertThat(refs.get(0).get("id").asString())
        .hasSize(26)
        .isLessThan(refs.get(1).get("id").asString());

    JsonNode job = api.get("/api/v1/jobs/" + refs.get(0).get("id").asString(), space.key()).json();
    assertThat(job.get("name").asString()).isEqualTo("process-video");
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("maxRetries").asInt()).isEqualTo(5);
    assertThat(job.get("timeoutSeconds").asInt()).isEqualTo(600);
    assertThat(job.get("payload").get("format").asString()).isEqualTo("720p");
    assertThat(job.get("callbackHeaders").get("Authorization").asString())
        .isEqualTo("Bearer your-secret");
    assertThat(job.get("events").get(0).get("type").asString()).isEqualTo("created");
    assertThat(job.get("createdAt").asString())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(job.has("result")).isTrue();
    assertThat(job.get("result").isNull()).isTrue();

    JsonNode second =
        api.get("/api/v1/jobs/" + refs.get(1).get("id").asString(), space.key()).json();
    assertThat(second.get("maxRetries").asInt()).isEqualTo(3);
    assertThat(second.get("timeoutSeconds").asInt()).isEqualTo(300);
    assertThat(second.get("callbackUrl").isNull()).isTrue();
  }

  @Test
  void aSingleObjectAnswersOneRef() {
    TestSpace space = api.newSpace();
    Response r =
        api.post(
            "/api/v1/spaces/" + space.id() + "/jobs",
            space.key(),
            "{\"name\":\"send-report\",\"payload\":{\"reportId\":\"abc123\"},\"scheduledFor\":\"2999-03-01T09:00:00.000Z\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().isObject()).isTrue();
    JsonNode job = api.get("/api/v1/jobs/" + r.json().get("id").asString(), space.key()).json();
    assertThat(job.get("status").asString()).isEqualTo("scheduled");
    assertThat(job.get("scheduledFor").asString()).isEqualTo("2999-03-01T09:00:00.000Z");
  }

  @Test
  void aMissingNameIsTheContractsMessage() {
    TestSpace space = api.newSpace();
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), "{\"payload\":1}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("jobs[0].name is required");
  }

  /** The seed page's scheduled example, verbatim: its date is now in the past, so it is pending. */
  static final String SEED_SCHEDULED =
      """
      {
        "name": "send-report",
        "payload": { "reportId": "abc123" },
        "scheduledFor": "2025-03-01T09:00:00.000Z"
      }""";

  @Test
  void theSeedPagesScheduledExampleIsAcceptedAndPendingOnceItsDateHasPassed() {
    TestSpace space = api.newSpace();
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), SEED_SCHEDULED);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().propertyNames()).containsExactlyInAnyOrder("id", "spaceId");
    JsonNode job = api.get("/api/v1/jobs/" + r.json().get("id").asString(), space.key()).json();
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("scheduledFor").asString()).isEqualTo("2025-03-01T09:00:00.000Z");
    assertThat(job.get("payload").toString()).isEqualTo("{\"reportId\":\"abc123\"}");
  }

  @Test
  void theSeedPagesBodiesAsFetchAndRequestsSerializeThemAreAccepted() {
    TestSpace space = api.newSpace();
    String fetchStyle = TestApi.JSON.readTree(SEED_ARRAY).toString();
    String requestsStyle =
        fetchStyle.replace("\",\"", "\", \"").replace("\":", "\": ").replace("},{", "}, {");
    for (String body : List.of(fetchStyle, requestsStyle)) {
      Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), body);
      assertThat(r.status()).as(body).isEqualTo(201);
      assertThat(r.json()).hasSize(2);
    }
  }

  @Test
  void aSingleSeedJobObjectAnswersOneRefAndKeepsEveryField() {
    TestSpace space = api.newSpace();
    String single = TestApi.JSON.readTree(SEED_ARRAY).get(0).toString();
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), single);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().isObject()).isTrue();
    assertThat(r.json().get("spaceId").asString()).isEqualTo(space.id());
    JsonNode job = api.get("/api/v1/jobs/" + r.json().get("id").asString(), space.key()).json();
    assertThat(job.get("callbackUrl").asString()).isEqualTo("https://example.com/webhooks/jobs");
    assertThat(job.get("id").asString()).isEqualTo(r.json().get("id").asString());
    assertThat(job.get("spaceId").asString()).isEqualTo(space.id());
  }

  @Test
  void payloadsOfAnyJsonTypeComeBackUnchangedWithTheirKeyOrder() {
    TestSpace space = api.newSpace();
    for (String payload :
        List.of(
            "{\"z\":1,\"a\":{\"y\":[3,2,1],\"b\":null},\"m\":\"x\"}",
            "[1,\"two\",{\"3\":true}]",
            "\"text\"",
            "42",
            "-0.5",
            "true",
            "null",
            "12345678901234567890123",
            "1.50",
            "1E+400",
            "0.1000000000000000055511151231257827")) {
      Response r =
          api.post(
              "/api/v1/spaces/" + space.id() + "/jobs",
              space.key(),
              "{\"name\":\"p\",\"payload\":" + payload + "}");
      assertThat(r.status()).isEqualTo(201);
      String job = api.get("/api/v1/jobs/" + r.json().get("id").asString(), space.key()).body();
      assertThat(job).contains("\"payload\":" + payload + ",");
    }
  }

  @Test
  void idsAreUlidsThatSortInCreationOrderAcrossRequests() {
    TestSpace space = api.newSpace();
    String previous = "";
    for (int i = 0; i < 20; i++) {
      String id = api.createJob(space, "seq");
      assertThat(id).matches("[0-9A-HJKMNP-TV-Z]{26}").isGreaterThan(previous);
      previous = id;
    }
  }

  @Test
  void theJobObjectHasEveryFieldOfTheContractAndTheCreatedEvent() {
    TestSpace space = api.newSpace();
    String id = api.createJob(space, "shape");
    JsonNode job = api.get("/api/v1/jobs/" + id, space.key()).json();
    assertThat(job.propertyNames())
        .containsExactly(
            "id",
            "spaceId",
            "name",
            "payload",
            "status",
            "maxRetries",
            "attemptNumber",
            "timeoutSeconds",
            "backoffSeconds",
            "scheduledFor",
            "callbackUrl",
            "callbackHeaders",
            "progress",
            "result",
            "lastError",
            "createdAt",
            "updatedAt",
            "deliveredAt",
            "startedAt",
            "completedAt",
            "retriedFrom",
            "events");
    JsonNode event = job.get("events").get(0);
    assertThat(event.propertyNames())
        .containsExactlyInAnyOrder("id", "type", "data", "attemptNumber", "createdAt");
    assertThat(event.get("type").asString()).isEqualTo("created");
    assertThat(event.get("attemptNumber").asInt()).isZero();
    assertThat(job.get("updatedAt").asString()).isEqualTo(job.get("createdAt").asString());
  }
}
