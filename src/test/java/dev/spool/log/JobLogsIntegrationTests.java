package dev.spool.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JobLogsIntegrationTests extends IntegrationTest {

  static final Map<String, String> NDJSON = Map.of("Content-Type", "application/x-ndjson");
  static final Map<String, String> NDJSON_GZIP =
      Map.of("Content-Type", "application/x-ndjson", "Content-Encoding", "gzip");

  TestSpace space;
  WorkerCalls states;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    states = new WorkerCalls(api, space);
  }

  String runningJob() {
    String id = api.createJob(space, "crawl");
    states.start(id);
    return id;
  }

  Response postLogs(String jobId, String body, Map<String, String> headers) {
    return api.postBytes(
        "/api/v1/jobs/" + jobId + "/logs",
        space.key(),
        body.getBytes(StandardCharsets.UTF_8),
        headers);
  }

  Response postLogs(String jobId, byte[] body, Map<String, String> headers) {
    return api.postBytes("/api/v1/jobs/" + jobId + "/logs", space.key(), body, headers);
  }

  JsonNode logs(String jobId, String query) {
    Response r = api.get("/api/v1/jobs/" + jobId + "/logs" + query, space.key());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  static String lines(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append("{\"level\":\"info\",\"message\":\"line ").append(i).append("\"}\n");
    }
    return b.toString();
  }

  @Test
  void ndjsonLinesAreStoredWithIncreasingSeqAndReadBack() {
    String id = runningJob();
    Response r =
        postLogs(
            id,
            """
            {"level":"info","message":"starting","data":{"url":"https://example.com"}}

            {"level":"WARN","message":"slow response","timestamp":"2025-02-24T11:30:00+01:00"}
            {"level":"error","message":"gave up","data":"plain"}
            """,
            NDJSON);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(3);

    JsonNode page = logs(id, "");
    assertThat(page.get("nextCursor").isNull()).isTrue();
    JsonNode logs = page.get("logs");
    assertThat(logs).hasSize(3);
    assertThat(logs.get(0).get("seq").asLong()).isEqualTo(1);
    assertThat(logs.get(0).get("level").asString()).isEqualTo("info");
    assertThat(logs.get(0).get("data").get("url").asString()).isEqualTo("https://example.com");
    assertThat(logs.get(0).get("attemptNumber").asInt()).isZero();
    assertThat(logs.get(0).get("timestamp").asString()).matches("\\d{4}-.*\\.\\d{3}Z");
    assertThat(logs.get(1).get("level").asString()).isEqualTo("warn");
    assertThat(logs.get(1).get("timestamp").asString()).isEqualTo("2025-02-24T10:30:00.000Z");
    assertThat(logs.get(1).get("data").isNull()).isTrue();
    assertThat(logs.get(2).get("seq").asLong()).isEqualTo(3);
    assertThat(logs.get(2).get("data").asString()).isEqualTo("plain");
  }

  @Test
  void gzipAndJsonArrayBodiesAreAccepted() {
    String id = runningJob();
    assertThat(
            postLogs(id, gzip(lines(5).getBytes(StandardCharsets.UTF_8)), NDJSON_GZIP)
                .json()
                .get("accepted")
                .asInt())
        .isEqualTo(5);
    Response array =
        postLogs(
            id,
            "[{\"level\":\"debug\",\"message\":\"a\"},{\"level\":\"fatal\",\"message\":\"b\",\"timestamp\":1700000000000}]",
            Map.of("Content-Type", "application/json"));
    assertThat(array.json().get("accepted").asInt()).isEqualTo(2);
    JsonNode logs = logs(id, "?after=5").get("logs");
    assertThat(logs).hasSize(2);
    assertThat(logs.get(0).get("seq").asLong()).isEqualTo(6);
    assertThat(logs.get(1).get("timestamp").asString()).isEqualTo("2023-11-14T22:13:20.000Z");
  }

  @Test
  void aBadLineRejectsTheWholeBatchNamingTheLine() {
    String id = runningJob();
    Response r =
        postLogs(
            id,
            "{\"level\":\"info\",\"message\":\"ok\"}\n{\"level\":\"info\",\"message\":\"ok\"}\n{\"level\":\"loud\",\"message\":\"x\"}\n",
            NDJSON);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error())
        .isEqualTo("line 3: level must be one of trace, debug, info, warn, error, fatal");
    assertThat(postLogs(id, "{\"level\":\"info\"}", NDJSON).error())
        .isEqualTo("line 1: message is required");
    assertThat(postLogs(id, "{\"level\":\"info\",\"message\":\"a\"}\nnot json\n", NDJSON).error())
        .startsWith("line 2: ");
    assertThat(postLogs(id, "[1]", NDJSON).error()).isEqualTo("line 1: must be a JSON object");
    assertThat(
            postLogs(
                    id,
                    "{\"level\":\"info\",\"message\":\"a\",\"timestamp\":\"yesterday\"}",
                    NDJSON)
                .error())
        .startsWith("line 1: timestamp must be");
    assertThat(
            postLogs(
                    id,
                    "[{\"level\":\"info\",\"message\":\"a\"},{\"level\":1,\"message\":\"a\"}]",
                    Map.of("Content-Type", "application/json"))
                .error())
        .startsWith("record 2: level must be one of");
    assertThat(
            postLogs(
                    id,
                    "{\"level\":\"info\",\"message\":\"a\"}",
                    Map.of("Content-Type", "application/json"))
                .status())
        .isEqualTo(400);
    assertThat(postLogs(id, "\n\n", NDJSON).status()).isEqualTo(400);
    assertThat(postLogs(id, lines(1), Map.of("Content-Type", "text/plain")).status())
        .isEqualTo(415);
    assertThat(
            postLogs(
                    id,
                    lines(1),
                    Map.of("Content-Type", "application/x-ndjson", "Content-Encoding", "br"))
                .status())
        .isEqualTo(415);
    assertThat(logs(id, "").get("logs")).isEmpty();
  }

  @Test
  void limitsAreLinesAndUncompressedBytes() {
    String id = runningJob();
    Response tooMany = postLogs(id, lines(1001), NDJSON);
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(tooMany.error()).isEqualTo("Too many log lines in one request (max 1000)");
    assertThat(
            postLogs(
                    id,
                    "["
                        + String.join(
                            ",",
                            java.util.Collections.nCopies(
                                1001, "{\"level\":\"info\",\"message\":\"m\"}"))
                        + "]",
                    Map.of("Content-Type", "application/json"))
                .status())
        .isEqualTo(413);
    assertThat(postLogs(id, lines(1000), NDJSON).json().get("accepted").asInt()).isEqualTo(1000);

    String big = "{\"level\":\"info\",\"message\":\"" + "x".repeat(1024 * 1024) + "\"}";
    assertThat(postLogs(id, big, NDJSON).status()).isEqualTo(413);
    assertThat(postLogs(id, gzip(big.getBytes(StandardCharsets.UTF_8)), NDJSON_GZIP).status())
        .isEqualTo(413);
  }

  @Test
  void aGzipBombIsRefusedWithoutInflatingIt() {
    String id = runningJob();
    // 256 MiB of zeros compress to about 250 KiB: 256 times the limit once inflated
    byte[] bomb;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        byte[] zeros = new byte[1024 * 1024];
        for (int i = 0; i < 256; i++) {
          gz.write(zeros);
        }
      }
      bomb = out.toByteArray();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    long started = System.nanoTime();
    Response r = postLogs(id, bomb, NDJSON_GZIP);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).contains("uncompressed");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5000);
  }

  @Test
  void aTruncatedOrCorruptGzipStreamIs400() {
    String id = runningJob();
    byte[] full = gzip(lines(50).getBytes(StandardCharsets.UTF_8));
    Response truncated = postLogs(id, Arrays.copyOf(full, full.length / 2), NDJSON_GZIP);
    assertThat(truncated.status()).isEqualTo(400);
    assertThat(truncated.error()).isEqualTo("The gzip body is truncated");
    assertThat(postLogs(id, lines(2), NDJSON_GZIP).status()).isEqualTo(400);
    assertThat(logs(id, "").get("logs")).isEmpty();
  }

  @Test
  void logsAreRefusedBeforeDeliveryAndKeptAfterCompletion() {
    String pending = api.createJob(space, "crawl");
    Response r = postLogs(pending, lines(1), NDJSON);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).contains("status: pending");

    String delivered = api.createJob(space, "crawl");
    states.deliver(delivered);
    assertThat(postLogs(delivered, lines(1), NDJSON).status()).isEqualTo(200);

    String done = runningJob();
    states.complete(done);
    assertThat(postLogs(done, lines(2), NDJSON).json().get("accepted").asInt()).isEqualTo(2);

    String id = api.createJob(space, "crawl");
    String delivery = states.start(id);
    Map<String, String> stale =
        Map.of("Content-Type", "application/x-ndjson", "x-delivery-id", "old");
    assertThat(postLogs(id, lines(1), stale).status()).isEqualTo(409);
    Map<String, String> current =
        Map.of("Content-Type", "application/x-ndjson", "x-delivery-id", delivery);
    assertThat(postLogs(id, lines(1), current).status()).isEqualTo(200);
  }

  @Test
  void eitherTheProgressOrTheEventScopeMayWriteLogsAndReadingNeedsRead() {
    String id = runningJob();
    String progressOnly = api.newKey(space.id(), List.of("jobs:progress"));
    String eventOnly = api.newKey(space.id(), List.of("jobs:event"));
    String readOnly = api.newKey(space.id(), List.of("jobs:read"));
    byte[] body = lines(1).getBytes(StandardCharsets.UTF_8);
    String path = "/api/v1/jobs/" + id + "/logs";
    assertThat(api.postBytes(path, progressOnly, body, NDJSON).status()).isEqualTo(200);
    assertThat(api.postBytes(path, eventOnly, body, NDJSON).status()).isEqualTo(200);
    assertThat(api.postBytes(path, readOnly, body, NDJSON).status()).isEqualTo(403);
    assertThat(api.get(path, progressOnly).status()).isEqualTo(403);
    assertThat(api.get(path, space.publicKey()).status()).isEqualTo(403);
    assertThat(api.get(path, api.newSpace().key()).status()).isEqualTo(403);
    assertThat(api.postBytes(path, api.newSpace().key(), body, NDJSON).status()).isEqualTo(403);
    assertThat(api.get("/api/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/logs", space.key()).status())
        .isEqualTo(404);
    assertThat(
            api.postBytes("/api/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/logs", space.key(), body, NDJSON)
                .status())
        .isEqualTo(404);
  }

  @Test
  void readsPageByAfterAndFilterByLevelAndText() {
    String id = runningJob();
    StringBuilder b = new StringBuilder();
    String[] levels = {"trace", "debug", "info", "warn", "error", "fatal"};
    for (int i = 0; i < 12; i++) {
      b.append("{\"level\":\"")
          .append(levels[i % 6])
          .append("\",\"message\":\"Item ")
          .append(i)
          .append(i % 4 == 0 ? " Timeout" : "")
          .append("\"}\n");
    }
    postLogs(id, b.toString(), NDJSON);

    JsonNode first = logs(id, "?limit=5");
    assertThat(first.get("logs")).hasSize(5);
    assertThat(first.get("nextCursor").asLong()).isEqualTo(5);
    JsonNode second = logs(id, "?limit=5&after=5");
    assertThat(second.get("logs").get(0).get("seq").asLong()).isEqualTo(6);
    JsonNode last = logs(id, "?limit=5&after=10");
    assertThat(last.get("logs")).hasSize(2);
    assertThat(last.get("nextCursor").isNull()).isTrue();

    JsonNode errors = logs(id, "?level=error").get("logs");
    assertThat(errors.valueStream().map(l -> l.get("level").asString()).toList())
        .containsExactly("error", "fatal", "error", "fatal");
    JsonNode timeouts = logs(id, "?q=timeout").get("logs");
    assertThat(timeouts.valueStream().map(l -> l.get("seq").asLong()).toList())
        .containsExactly(1L, 5L, 9L);
    assertThat(logs(id, "?q=timeout&level=info").get("logs")).hasSize(2);

    for (String q :
        List.of("?limit=0", "?limit=1001", "?limit=x", "?after=-1", "?level=loud", "?after=abc")) {
      Response r = api.get("/api/v1/jobs/" + id + "/logs" + q, space.key());
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error()).as(q).isNotBlank();
    }
  }

  @Test
  void eightConcurrentWritersGetGapFreeDuplicateFreeSeq() throws Exception {
    String id = runningJob();
    int writers = 8;
    int batches = 10;
    int perBatch = 25;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  int accepted = 0;
                  for (int batch = 0; batch < batches; batch++) {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < perBatch; i++) {
                      b.append("{\"level\":\"info\",\"message\":\"w")
                          .append(writer)
                          .append(" b")
                          .append(batch)
                          .append(" i")
                          .append(i)
                          .append("\"}\n");
                    }
                    Response r = postLogs(id, b.toString(), NDJSON);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    accepted += r.json().get("accepted").asInt();
                  }
                  return accepted;
                }));
      }
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(writers * batches * perBatch);
    } finally {
      pool.shutdownNow();
    }
    List<Long> seqs =
        jdbc.sql("SELECT seq FROM job_logs WHERE job_id = :id ORDER BY seq")
            .param("id", id)
            .query(Long.class)
            .list();
    assertThat(seqs).hasSize(writers * batches * perBatch);
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).isEqualTo(i + 1L);
    }
    // each batch occupies one contiguous seq range, in its own line order
    List<String> messages =
        jdbc.sql("SELECT message FROM job_logs WHERE job_id = :id ORDER BY seq")
            .param("id", id)
            .query(String.class)
            .list();
    for (int start = 0; start < messages.size(); start += perBatch) {
      String prefix = messages.get(start).substring(0, messages.get(start).lastIndexOf(' '));
      for (int i = 0; i < perBatch; i++) {
        assertThat(messages.get(start + i)).isEqualTo(prefix + " i" + i);
      }
    }
    assertThat(
            jdbc.sql("SELECT log_seq FROM jobs WHERE id = :id")
                .param("id", id)
                .query(Long.class)
                .single())
        .isEqualTo((long) writers * batches * perBatch);
  }
}
