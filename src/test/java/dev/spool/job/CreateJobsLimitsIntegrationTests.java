package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Size limits and all-or-nothing writes of Create Jobs (docs/api.md §3, §4.1, §9). */
class CreateJobsLimitsIntegrationTests extends IntegrationTest {

  static final int MIB = 1024 * 1024;

  TestSpace space;

  @BeforeEach
  void space() {
    space = api.newSpace();
  }

  String path() {
    return "/api/v1/spaces/" + space.id() + "/jobs";
  }

  long jobsInSpace() {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
        .param("s", space.id())
        .query(Long.class)
        .single();
  }

  static String jobs(int n) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"bulk\",\"payload\":{\"i\":")
          .append(i)
          .append("}}");
    }
    return b.append(']').toString();
  }

  @Test
  void oneThousandJobsAreCreatedInRequestOrder() {
    Response r = api.post(path(), space.key(), jobs(1000));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().size()).isEqualTo(1000);
    String previous = "";
    for (int i = 0; i < 1000; i++) {
      String id = r.json().get(i).get("id").asString();
      assertThat(id).isGreaterThan(previous);
      previous = id;
    }
    assertThat(jobsInSpace()).isEqualTo(1000);
    int payloadOfLast =
        api.get("/api/v1/jobs/" + previous, space.key()).json().get("payload").get("i").asInt();
    assertThat(payloadOfLast).isEqualTo(999);
    long events =
        jdbc.sql("SELECT count(*) FROM job_events WHERE space_id = :s AND type = 'created'")
            .param("s", space.id())
            .query(Long.class)
            .single();
    assertThat(events).isEqualTo(1000);
  }

  @Test
  void oneThousandAndOneJobsAreTooMany() {
    Response r = api.post(path(), space.key(), jobs(1001));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).isEqualTo("Too many jobs in one request (max 1000)");
    assertThat(jobsInSpace()).isZero();
  }

  @Test
  void oneBadElementInABatchOfFiveHundredLeavesNoJobBehind() {
    String body =
        jobs(500)
            .replace(
                "{\"name\":\"bulk\",\"payload\":{\"i\":437}}",
                "{\"name\":\"bulk\",\"maxRetries\":99}");
    Response r = api.post(path(), space.key(), body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("jobs[437].maxRetries must be between 0 and 25");
    assertThat(jobsInSpace()).isZero();
  }

  @Test
  void aBatchThatFailsInTheDatabaseLeavesNoJobBehind() {
    // Validation passes, the insert fails half-way: the space disappears under the request.
    // Simulated by a space id that never existed, with an admin key that may address any space.
    Response r =
        api.post("/api/v1/spaces/01ARZ3NDEKTSV4RRFFQ69G5FAV/jobs", api.adminKey(), jobs(500));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).isEqualTo("Space not found");
    long orphans =
        jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'")
            .query(Long.class)
            .single();
    assertThat(orphans).isZero();
  }

  @Test
  void aPayloadOverOneMebibyteIsTooLarge() {
    String big = "x".repeat(MIB);
    Response r =
        api.post(
            path(), space.key(), "[{\"name\":\"a\"},{\"name\":\"b\",\"payload\":\"" + big + "\"}]");
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).startsWith("jobs[1].payload is larger than");
    assertThat(jobsInSpace()).isZero();

    String fits = "x".repeat(MIB - 2); // two quotes make it exactly 1 MiB serialized
    Response ok = api.post(path(), space.key(), "{\"name\":\"a\",\"payload\":\"" + fits + "\"}");
    assertThat(ok.status()).isEqualTo(201);
  }

  @Test
  void aBodyOfExactlyTenMebibytesIsAccepted() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 10; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"a\",\"payload\":\"")
          .append("y".repeat(MIB - 100))
          .append("\"}");
    }
    b.append(']');
    b.append(" ".repeat(10 * MIB - b.length()));
    assertThat(b.length()).isEqualTo(10 * MIB);
    Response r = api.post(path(), space.key(), b.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(jobsInSpace()).isEqualTo(10);
  }

  @Test
  void aBodyOverTenMebibytesIsTooLarge() throws Exception {
    byte[] body = ("[" + " ".repeat(10 * MIB) + "]").getBytes(StandardCharsets.US_ASCII);
    assertThat(rawPost(body, true)).startsWith("HTTP/1.1 413");
    assertThat(jobsInSpace()).isZero();
  }

  @Test
  void aChunkedBodyOverTenMebibytesIsTooLarge() throws Exception {
    byte[] body = ("[" + " ".repeat(10 * MIB) + "]").getBytes(StandardCharsets.US_ASCII);
    assertThat(rawPost(body, false)).startsWith("HTTP/1.1 413");
  }

  @Test
  void aNumberTooLongToParseIsABadRequestNotA500() {
    Response r =
        api.post(path(), space.key(), "{\"name\":\"a\",\"maxRetries\":" + "9".repeat(5000) + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    Response p =
        api.post(path(), space.key(), "{\"name\":\"a\",\"payload\":" + "9".repeat(5000) + "}");
    assertThat(p.status()).as(p.body()).isIn(201, 400);
  }

  @Test
  void hugeAndOddPayloadsAreStoredOrRefusedButNeverA500() {
    for (String payload :
        new String[] {
          "1e400",
          "-1e400",
          "123456789012345678901234567890",
          "0.1000000000000000055511151231257827",
          "{\"\":\"\"}",
          "[]",
          "\"\"",
          "false",
          "{\"a\":{\"b\":[1,2,{\"c\":null}]}}"
        }) {
      Response r = api.post(path(), space.key(), "{\"name\":\"odd\",\"payload\":" + payload + "}");
      assertThat(r.status()).as(payload + " -> " + r.body()).isIn(201, 400);
      if (r.status() == 201) {
        Response job = api.get("/api/v1/jobs/" + r.json().get("id").asString(), space.key());
        assertThat(job.status()).as(payload + " -> " + job.body()).isEqualTo(200);
      }
    }
  }

  @Test
  void payloadTextPostgresqlCannotProcessIsABadRequest() {
    for (String payload :
        new String[] {
          "\"nul \\u0000 inside\"",
          "{\"k\":[\"lone \\ud800 surrogate\"]}",
          "{\"\\u0000\":1}",
          "\"\\udc00\""
        }) {
      Response r = api.post(path(), space.key(), "{\"name\":\"odd\",\"payload\":" + payload + "}");
      assertThat(r.status()).as(payload).isEqualTo(400);
      assertThat(r.error())
          .isEqualTo("jobs[0].payload must not contain NUL characters or unpaired surrogates");
    }
    Response pair =
        api.post(path(), space.key(), "{\"name\":\"ok\",\"payload\":\"\\ud83c\\udfac\"}");
    assertThat(pair.status()).isEqualTo(201);
    String stored =
        api.get("/api/v1/jobs/" + pair.json().get("id").asString(), space.key())
            .json()
            .get("payload")
            .asString();
    assertThat(stored).isEqualTo("🎬");
  }

  /**
   * Sends a body over a plain socket and returns the status line: the server may answer 413 and
   * close before the client finished sending, which some HTTP clients report as an I/O error.
   */
  String rawPost(byte[] body, boolean withLength) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path()
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
              + space.key()
              + "\r\nContent-Type: application/json\r\n"
              + (withLength
                  ? "Content-Length: " + body.length + "\r\n"
                  : "Transfer-Encoding: chunked\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      try {
        if (withLength) {
          out.write(body);
        } else {
          for (int off = 0; off < body.length; off += 65536) {
            int len = Math.min(65536, body.length - off);
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, off, len);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
      } catch (java.io.IOException serverStoppedReading) {
        // the answer is already on its way
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.write(c);
      }
      return line.toString(StandardCharsets.US_ASCII).trim();
    }
  }
}
