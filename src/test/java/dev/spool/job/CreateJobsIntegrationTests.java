package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
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
    assertThat(refs.get(0).get("id").asString()).hasSize(26).isLessThan(refs.get(1).get("id").asString());

    JsonNode job = api.get("/api/v1/jobs/" + refs.get(0).get("id").asString(), space.key()).json();
    assertThat(job.get("name").asString()).isEqualTo("process-video");
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("maxRetries").asInt()).isEqualTo(5);
    assertThat(job.get("timeoutSeconds").asInt()).isEqualTo(600);
    assertThat(job.get("payload").get("format").asString()).isEqualTo("720p");
    assertThat(job.get("callbackHeaders").get("Authorization").asString()).isEqualTo("Bearer your-secret");
    assertThat(job.get("events").get(0).get("type").asString()).isEqualTo("created");
    assertThat(job.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(job.has("result")).isTrue();
    assertThat(job.get("result").isNull()).isTrue();

    JsonNode second = api.get("/api/v1/jobs/" + refs.get(1).get("id").asString(), space.key()).json();
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
}
