package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Every validation rule of docs/api.md §3 for Create Jobs, at its boundaries, over real HTTP. */
class CreateJobsValidationIntegrationTests extends IntegrationTest {

  TestSpace space;

  @BeforeEach
  void space() {
    space = api.newSpace();
  }

  Response create(String body) {
    return api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), body);
  }

  JsonNode job(Response created) {
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return api.get("/api/v1/jobs/" + created.json().get("id").asString(), space.key()).json();
  }

  static void assertBadRequest(Response r, String error) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error()).isEqualTo(error);
  }

  @ParameterizedTest
  @CsvSource({"0", "25", "3"})
  void maxRetriesWithinZeroToTwentyFiveIsStored(int value) {
    JsonNode job = job(create("{\"name\":\"a\",\"maxRetries\":" + value + "}"));
    assertThat(job.get("maxRetries").asInt()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"-1", "26", "2.5", "\"3\"", "true", "1e400", "99999999999999999999999", "{}"})
  void maxRetriesOutsideZeroToTwentyFiveIsRejected(String value) {
    assertBadRequest(
        create("{\"name\":\"a\",\"maxRetries\":" + value + "}"),
        "jobs[0].maxRetries must be between 0 and 25");
  }

  @ParameterizedTest
  @CsvSource({"1", "86400", "300"})
  void timeoutSecondsWithinOneToADayIsStored(int value) {
    JsonNode job = job(create("{\"name\":\"a\",\"timeoutSeconds\":" + value + "}"));
    assertThat(job.get("timeoutSeconds").asInt()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "86401", "-5", "1e10", "\"300\""})
  void timeoutSecondsOutsideOneToADayIsRejected(String value) {
    assertBadRequest(
        create("{\"name\":\"a\",\"timeoutSeconds\":" + value + "}"),
        "jobs[0].timeoutSeconds must be between 1 and 86400");
  }

  @Test
  void backoffSecondsAcceptsZeroToAnHour() {
    assertThat(
            job(create("{\"name\":\"a\",\"backoffSeconds\":3600}")).get("backoffSeconds").asInt())
        .isEqualTo(3600);
    assertBadRequest(
        create("{\"name\":\"a\",\"backoffSeconds\":3601}"),
        "jobs[0].backoffSeconds must be between 0 and 3600");
    assertBadRequest(
        create("{\"name\":\"a\",\"backoffSeconds\":-1}"),
        "jobs[0].backoffSeconds must be between 0 and 3600");
  }

  @Test
  void defaultsAreThreeRetriesFiveMinutesNoBackoffAndNullPayload() {
    JsonNode job = job(create("{\"name\":\"a\"}"));
    assertThat(job.get("maxRetries").asInt()).isEqualTo(3);
    assertThat(job.get("timeoutSeconds").asInt()).isEqualTo(300);
    assertThat(job.get("backoffSeconds").asInt()).isZero();
    assertThat(job.get("payload").isNull()).isTrue();
    assertThat(job.get("attemptNumber").asInt()).isZero();
    for (String field :
        List.of(
            "scheduledFor",
            "callbackUrl",
            "callbackHeaders",
            "progress",
            "result",
            "lastError",
            "deliveredAt",
            "startedAt",
            "completedAt",
            "retriedFrom")) {
      assertThat(job.has(field)).as(field).isTrue();
      assertThat(job.get(field).isNull()).as(field).isTrue();
    }
  }

  @Test
  void aScheduledForInThePastCreatesAPendingJob() {
    JsonNode job = job(create("{\"name\":\"a\",\"scheduledFor\":\"2020-01-01T00:00:00.000Z\"}"));
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("scheduledFor").asString()).isEqualTo("2020-01-01T00:00:00.000Z");
    assertThat(job.get("events").get(0).get("type").asString()).isEqualTo("created");
  }

  @Test
  void aScheduledForInTheFutureCreatesAScheduledJobWithAScheduledEvent() {
    JsonNode job = job(create("{\"name\":\"a\",\"scheduledFor\":\"2999-01-01T10:00:00+02:00\"}"));
    assertThat(job.get("status").asString()).isEqualTo("scheduled");
    assertThat(job.get("scheduledFor").asString()).isEqualTo("2999-01-01T08:00:00.000Z");
    JsonNode event = job.get("events").get(0);
    assertThat(event.get("type").asString()).isEqualTo("scheduled");
    assertThat(event.get("data").get("scheduledFor").asString())
        .isEqualTo("2999-01-01T08:00:00.000Z");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"tomorrow\"",
        "\"2025-02-24\"",
        "\"2025-13-01T00:00:00Z\"",
        "\"\"",
        "12345",
        "\"+999999999-12-31T23:59:59Z\"",
        "\"-000001-01-01T00:00:00Z\"",
        "\"2025-02-24T10:30:00\""
      })
  void aScheduledForThatIsNoUsableTimestampIsRejected(String value) {
    Response r = create("{\"name\":\"a\",\"scheduledFor\":" + value + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error()).startsWith("jobs[0].scheduledFor must be");
  }

  @Test
  void aNameIsRequiredNonEmptyAtMost255CharactersAndFreeOfControlCharacters() {
    assertBadRequest(create("{}"), "jobs[0].name is required");
    assertBadRequest(create("{\"name\":null}"), "jobs[0].name is required");
    assertBadRequest(
        create("{\"name\":\"\"}"), "jobs[0].name must be a string of 1 to 255 characters");
    assertBadRequest(
        create("{\"name\":42}"), "jobs[0].name must be a string of 1 to 255 characters");
    assertBadRequest(
        create("{\"name\":\"" + "n".repeat(256) + "\"}"),
        "jobs[0].name must be a string of 1 to 255 characters");
    assertBadRequest(
        create("{\"name\":\"a\\u0000b\"}"), "jobs[0].name must not contain control characters");
    assertBadRequest(
        create("{\"name\":\"line\\nbreak\"}"), "jobs[0].name must not contain control characters");
    assertThat(job(create("{\"name\":\"" + "n".repeat(255) + "\"}")).get("name").asString())
        .hasSize(255);
  }

  @Test
  void aNameCountsCharactersNotUtf16Units() {
    String name = "🎬".repeat(255);
    JsonNode job = job(create("{\"name\":\"" + name + "\"}"));
    assertThat(job.get("name").asString()).isEqualTo(name);
    assertBadRequest(
        create("{\"name\":\"" + "🎬".repeat(256) + "\"}"),
        "jobs[0].name must be a string of 1 to 255 characters");
  }

  @Test
  void unicodeNamesAndPayloadsComeBackUnchanged() {
    JsonNode job = job(create("{\"name\":\"vidéo-处理-🎬\",\"payload\":{\"título\":\"ü ñ 漢字 😀\"}}"));
    assertThat(job.get("name").asString()).isEqualTo("vidéo-处理-🎬");
    assertThat(job.get("payload").get("título").asString()).isEqualTo("ü ñ 漢字 😀");
  }

  @Test
  void aLoneSurrogateInTheNameIsRejectedNotStoredMangled() {
    Response r = create("{\"name\":\"a\\ud800b\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error()).startsWith("jobs[0].name");
  }

  @Test
  void aCallbackUrlMustBeAnAbsoluteHttpUrlOfAtMost2048Characters() {
    String ok = "https://example.com/" + "p".repeat(2048 - 20);
    assertThat(
            job(create("{\"name\":\"a\",\"callbackUrl\":\"" + ok + "\"}"))
                .get("callbackUrl")
                .asString())
        .isEqualTo(ok);
    for (String bad :
        List.of(
            "\"ftp://example.com/x\"",
            "\"/relative\"",
            "\"http://\"",
            "\"javascript:alert(1)\"",
            "\"http://exa mple.com\"",
            "42",
            "\"https://example.com/" + "p".repeat(2048 - 19) + "\"")) {
      Response r = create("{\"name\":\"a\",\"callbackUrl\":" + bad + "}");
      assertThat(r.status()).as(bad + " " + r.body()).isEqualTo(400);
      assertThat(r.error()).startsWith("jobs[0].callbackUrl must");
    }
  }

  @Test
  void callbackHeadersTakeStringValuesOnly() {
    Response r = create("{\"name\":\"a\",\"callbackHeaders\":{\"X-Count\":1}}");
    assertBadRequest(r, "jobs[0].callbackHeaders.X-Count must be a string");
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":[\"x\"]}"),
        "jobs[0].callbackHeaders must be an object of string values");
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":{\"X-Obj\":{\"a\":\"b\"}}}"),
        "jobs[0].callbackHeaders.X-Obj must be a string");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Host",
        "content-length",
        "Content-Type",
        "TRANSFER-ENCODING",
        "Connection",
        "webhook-id",
        "Webhook-Signature",
        "webhook-timestamp"
      })
  void reservedCallbackHeadersCannotBeSet(String name) {
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":{\"" + name + "\":\"x\"}}"),
        "jobs[0].callbackHeaders." + name + " is reserved and cannot be set");
  }

  @Test
  void callbackHeaderNamesMustBeTokensAndValuesSingleLine() {
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":{\"bad name\":\"x\"}}"),
        "jobs[0].callbackHeaders.bad name is not a valid header name");
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":{\"X-A\":\"a\\r\\nX-Injected: 1\"}}"),
        "jobs[0].callbackHeaders.X-A must not contain line breaks");
  }

  @Test
  void atMostFiftyCallbackHeaders() {
    StringBuilder fifty = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      fifty.append(i == 0 ? "" : ",").append("\"X-H").append(i).append("\":\"v\"");
    }
    JsonNode job = job(create("{\"name\":\"a\",\"callbackHeaders\":{" + fifty + "}}"));
    assertThat(job.get("callbackHeaders").size()).isEqualTo(50);
    assertBadRequest(
        create("{\"name\":\"a\",\"callbackHeaders\":{" + fifty + ",\"X-H50\":\"v\"}}"),
        "jobs[0].callbackHeaders must have at most 50 headers");
  }

  @Test
  void everyFailingFieldIsListedInDetailsAndTheFirstIsTheError() {
    Response r =
        create(
            """
            [
              {"name": "ok"},
              {"maxRetries": 26, "timeoutSeconds": 0},
              {"name": "b", "callbackHeaders": {"Host": "x"}, "scheduledFor": "soon"}
            ]""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("jobs[1].name is required");
    assertThat(r.json().get("code").asString()).isEqualTo("validation_failed");
    List<String> fields = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    r.json()
        .get("details")
        .forEach(
            d -> {
              fields.add(d.get("field").asString());
              messages.add(d.get("message").asString());
            });
    assertThat(fields)
        .containsExactly(
            "jobs[1].name",
            "jobs[1].maxRetries",
            "jobs[1].timeoutSeconds",
            "jobs[2].scheduledFor",
            "jobs[2].callbackHeaders.Host");
    assertThat(messages).contains("jobs[1].maxRetries must be between 0 and 25");
  }

  @Test
  void anEmptyArrayIsABadRequest() {
    Response r = create("[]");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().has("error")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "\"job\"", "true", "null"})
  void aTopLevelScalarIsABadRequest(String body) {
    assertBadRequest(create(body), "Request body must be a job object or an array of job objects");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1]", "[null]", "[\"a\"]", "[[{\"name\":\"a\"}]]"})
  void aNonObjectArrayElementIsABadRequest(String body) {
    assertBadRequest(create(body), "jobs[0] must be an object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":",
        "{\"name\":\"a\"",
        "{'name':'a'}",
        "{\"name\":\"a\",}",
        "[{\"name\":\"a\"},]",
        "{\"name\":\"a\"} trailing",
        "{\"name\":\"a\"}{\"name\":\"b\"}",
        "{\"name\":NaN}"
      })
  void malformedJsonIsABadRequest(String body) {
    assertBadRequest(create(body), "Malformed JSON body");
  }

  @Test
  void invalidUtf8IsABadRequest() {
    byte[] body = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
    Response r =
        api.postBytes(
            "/api/v1/spaces/" + space.id() + "/jobs",
            space.key(),
            body,
            Map.of("Content-Type", "application/json"));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
  }

  @Test
  void anEmptyBodyIsABadRequest() {
    assertThat(create("").status()).isEqualTo(400);
    assertThat(create("   ").status()).isEqualTo(400);
  }

  @Test
  void jsonNestedDeeperThanOneHundredLevelsIsABadRequest() {
    // The job object is level 1, so a payload of 99 nested arrays reaches exactly 100.
    Response atLimit =
        create("{\"name\":\"a\",\"payload\":" + "[".repeat(99) + "]".repeat(99) + "}");
    assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(201);
    Response over =
        create("{\"name\":\"a\",\"payload\":" + "[".repeat(100) + "]".repeat(100) + "}");
    assertThat(over.status()).isEqualTo(400);
    assertThat(over.error()).isEqualTo("JSON is nested deeper than 100 levels");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "text/plain", "application/x-www-form-urlencoded", ";;;", "json"})
  void aBodyThatIsNotDeclaredJsonIsUnsupported(String contentType) {
    Map<String, String> headers =
        contentType.isEmpty() ? Map.of() : Map.of("Content-Type", contentType);
    Response r =
        api.post(
            "/api/v1/spaces/" + space.id() + "/jobs", space.key(), "{\"name\":\"a\"}", headers);
    assertThat(r.status()).as(r.body()).isEqualTo(415);
    assertThat(r.error()).isEqualTo("Content-Type must be application/json");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/vnd.spool+json"
      })
  void anyJsonContentTypeIsAccepted(String contentType) {
    Response r =
        api.post(
            "/api/v1/spaces/" + space.id() + "/jobs",
            space.key(),
            "{\"name\":\"a\"}",
            Map.of("Content-Type", contentType));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void aDuplicateKeyKeepsItsLastValue() {
    JsonNode job =
        job(create("{\"name\":\"first\",\"name\":\"last\",\"payload\":{\"a\":1,\"a\":2}}"));
    assertThat(job.get("name").asString()).isEqualTo("last");
    assertThat(job.get("payload").toString()).isEqualTo("{\"a\":2}");
  }

  @Test
  void unknownFieldsAreIgnored() {
    JsonNode job =
        job(create("{\"name\":\"a\",\"status\":\"completed\",\"id\":\"x\",\"whatever\":[1]}"));
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("id").asString()).hasSize(26);
  }
}
