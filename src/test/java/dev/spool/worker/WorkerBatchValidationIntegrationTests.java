package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A malformed batch is a 400 (or 413) for the whole request that names the field and writes
 * nothing.
 */
class WorkerBatchValidationIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls worker;
  String id;

  @BeforeEach
  void deliveredJob() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
    id = api.createJob(space, "a");
    worker.deliver(id);
  }

  /** Bodies whose first item alone would succeed, mapped to the 400's {@code error}. */
  Map<String, String> malformed(String action) {
    String ok = "{\"id\":\"" + id + "\"}";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("[" + ok + "]", "Request body must be a JSON object");
    cases.put("{}", "jobs is required");
    cases.put("{\"jobs\":null}", "jobs is required");
    cases.put("{\"jobs\":" + ok + "}", "jobs must be an array");
    cases.put("{\"jobs\":[]}", "jobs must contain at least one job");
    cases.put("{\"jobs\":[" + ok + ",5]}", "jobs[1] must be an object");
    cases.put("{\"jobs\":[" + ok + ",{\"deliveryId\":\"x\"}]}", "jobs[1].id is required");
    cases.put("{\"jobs\":[" + ok + ",{\"id\":7}]}", "jobs[1].id must be a string");
    cases.put("{\"jobs\":[" + ok + "," + ok + "]}", "jobs[1].id repeats jobs[0].id (" + id + ")");
    cases.put(
        "{\"jobs\":[{\"id\":\"" + id + "\",\"deliveryId\":5}]}",
        "jobs[0].deliveryId must be a string");
    cases.put("{\"jobs\":[" + ok + ",", "Malformed JSON body");
    cases.put(
        "{\"jobs\":[" + "{\"id\":\"x\"},".repeat(1000) + ok + "]}",
        "Too many jobs in one request (max 1000)");
    if (action.equals("fail")) {
      cases.put(
          "{\"jobs\":[{\"id\":\"" + id + "\",\"retry\":\"no\"}]}",
          "jobs[0].retry must be a boolean");
      cases.put(
          "{\"jobs\":[{\"id\":\"" + id + "\",\"error\":5}]}",
          "jobs[0].error must be a string or an object");
    }
    return cases;
  }

  @Test
  void everyMalformedBodyIsA400NamingTheFieldAndChangesNothing() {
    for (String action : List.of("ack", "complete", "fail")) {
      malformed(action)
          .forEach(
              (body, error) -> {
                Response r = worker.batch(action, body);
                assertThat(r.status()).as(action + " " + error).isEqualTo(400);
                assertThat(r.error()).as(action).isEqualTo(error);
              });
      Response empty = worker.batch(action, null);
      assertThat(empty.status()).isEqualTo(400);
    }
    assertThat(worker.status(id)).isEqualTo("delivered");
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered");
  }

  @Test
  void everyFailingFieldIsListedInTheDetails() {
    Response r =
        worker.batch("fail", "{\"jobs\":[{\"id\":1},{\"id\":\"" + id + "\",\"retry\":1}]}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("code").asString()).isEqualTo("validation_failed");
    assertThat(r.json().get("details").valueStream().map(d -> d.get("field").asString()))
        .containsExactly("jobs[0].id", "jobs[1].retry");
    assertThat(worker.status(id)).isEqualTo("delivered");
  }

  @Test
  void aBodyOverTheRequestLimitIsA413() throws Exception {
    String body =
        "{\"jobs\":[{\"id\":\"" + id + "\",\"result\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}]}";

    assertThat(rawPost("/api/v1/spaces/" + space.id() + "/jobs/complete", body))
        .startsWith("HTTP/1.1 413");
    assertThat(worker.status(id)).isEqualTo("delivered");
  }

  /**
   * Sends a body over a plain socket and returns the status line: the server may answer 413 and
   * close before the client finished sending, which the JDK client reports as an I/O error.
   */
  String rawPost(String path, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
              + space.key()
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + bytes.length
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException serverStoppedReading) {
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
