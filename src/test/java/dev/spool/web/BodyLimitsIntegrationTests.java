package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each endpoint has the body limit it needs ({@link BodyLimitFilter}): tiny bodies for ack,
 * keepalive, claim and the admin API, a document and a little for worker calls that carry one, 10
 * MiB for create, batch calls and logs. Over the limit is a 413 before the body is parsed — before
 * the key is even looked up. JSON token counts are limited too.
 */
class BodyLimitsIntegrationTests extends IntegrationTest {

  static final int KIB = 1024;
  static final int MIB = 1024 * KIB;

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  @Test
  void anAckBodyOfSeventyKibibytesIsRefusedBeforeTheKeyIsLookedUp() {
    String id = api.createJob(space, "small-bodies");
    String body = "{\"pad\":\"" + "x".repeat(70 * KIB) + "\"}";
    Response r =
        api.post(
            "/api/v1/jobs/" + id + "/ack",
            "emit_nobody-has-this-key-0000000000000000000",
            body,
            Map.of("Content-Type", "application/json"));
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.json().get("code").asString()).isEqualTo("too_large");

    Response admin = api.post("/api/v1/spaces", api.adminKey(), body);
    assertThat(admin.status()).isEqualTo(413);
  }

  @Test
  void aChunkedKeepaliveBodyOverTheSmallLimitIsRefused() {
    String id = api.createJob(space, "chunked");
    String delivery = worker.start(id);
    byte[] body =
        ("{\"pad\":\"" + "x".repeat(100 * KIB) + "\"}").getBytes(StandardCharsets.US_ASCII);
    HttpRequest request =
        api.builder("/api/v1/jobs/" + id + "/keepalive", space.key())
            .header("Content-Type", "application/json")
            .header("x-delivery-id", delivery)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();
    assertThat(api.send(request).status()).isEqualTo(413);
  }

  @Test
  void aCompleteCarriesAFullDocumentButNotTwo() {
    String id = api.createJob(space, "big-result");
    String delivery = worker.start(id);
    String twoDocuments = "{\"result\":\"" + "r".repeat(2 * MIB) + "\"}";
    Response tooBig = worker.complete(id, twoDocuments, delivery);
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.error()).contains("max " + (MIB + 64 * KIB) + " bytes");

    String oneDocument = "{\"result\":\"" + "r".repeat(MIB - 2) + "\"}";
    assertThat(worker.complete(id, oneDocument, delivery).status()).isEqualTo(200);
  }

  @Test
  void createStillTakesBodiesOfSeveralMebibytes() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 3; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"big\",\"payload\":\"")
          .append("p".repeat(MIB - 100))
          .append("\"}");
    }
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), b + "]");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void aBodyOfMoreThanAMillionJsonTokensIsTooLargeAlthoughItsBytesFit() {
    String payload = "[" + "0,".repeat(1099) + "0]";
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"t\",\"payload\":")
          .append(payload)
          .append('}');
    }
    b.append(']');
    assertThat(b.length()).isLessThan(3 * MIB);
    Response r = api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), b.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error()).contains("JSON tokens");
  }
}
