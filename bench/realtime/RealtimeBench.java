// Realtime delivery benchmark (issue 6). Standalone: run through run.sh, which starts Spool.
//
// Workload: W lifecycle threads each loop create (HTTP) -> delivered -> acked -> progress ->
// completed, the transitions performed with the same single-statement SQL a transition uses
// (the worker endpoints are not part of this branch; after merging, the HTTP worker calls can
// replace sqlMove). A probe thread posts a progress event every PROBE_MS to one of 200 running
// "watched" jobs and remembers when its commit returned. Phase 1 runs without subscribers,
// phase 2 with 200 job streams (one per watched job) and 5 space streams open; latency is
// probe commit returned -> probe frame received (same JVM, System.nanoTime).
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class RealtimeBench {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9A-Z]{26})\"");
  static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern PROBE = Pattern.compile("\"message\"\\s*:\\s*\"probe-(\\d+)\"");
  static final String MOVE =
      "WITH u AS (UPDATE jobs SET status = ?, updated_at = now(),"
          + " deadline_at = CASE WHEN ? IN ('delivered','running') THEN now() + make_interval(secs => timeout_seconds) END,"
          + " completed_at = CASE WHEN ? = 'completed' THEN now() END"
          + " WHERE id = ? AND status = ? RETURNING id, space_id, attempt_number)"
          + " INSERT INTO job_events (job_id, space_id, type, data, attempt_number)"
          + " SELECT id, space_id, ?, NULL, attempt_number FROM u";
  static final String PROGRESS =
      "WITH u AS (UPDATE jobs SET progress = CAST(? AS jsonb), updated_at = now(),"
          + " deadline_at = now() + make_interval(secs => timeout_seconds)"
          + " WHERE id = ? AND status = 'running' RETURNING id, space_id, attempt_number, progress)"
          + " INSERT INTO job_events (job_id, space_id, type, data, attempt_number)"
          + " SELECT id, space_id, 'progress', progress::json, attempt_number FROM u";

  static String base, adminKey, jdbcUrl, dbUser, dbPassword;
  static final Map<Long, Long> probeSent = new ConcurrentHashMap<>();
  static final List<Long> jobLatencies = Collections.synchronizedList(new ArrayList<>());
  static final List<Long> spaceLatencies = Collections.synchronizedList(new ArrayList<>());
  static final AtomicLong framesReceived = new AtomicLong();

  public static void main(String[] args) throws Exception {
    base = args[0];
    adminKey = args[1];
    jdbcUrl = args[2];
    dbUser = args[3];
    dbPassword = args.length > 4 ? args[4] : "";
    int seconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_SECONDS", "30"));
    int workers = Integer.parseInt(System.getenv().getOrDefault("BENCH_WORKERS", "8"));
    int probeMs = Integer.parseInt(System.getenv().getOrDefault("BENCH_PROBE_MS", "20"));

    String space = match(ID, post("/api/v1/spaces", adminKey, "{\"name\":\"bench\"}"));
    String key = match(KEY, post("/api/v1/spaces/" + space + "/keys", adminKey,
        "{\"name\":\"bench\",\"scopes\":[\"jobs:create\",\"jobs:read\"]}"));
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 200; i++) batch.append(i == 0 ? "" : ",").append("{\"name\":\"watched\"}");
    List<String> watched = new ArrayList<>();
    Matcher m = ID.matcher(post("/api/v1/spaces/" + space + "/jobs", key, batch.append("]").toString()));
    while (m.find()) watched.add(m.group(1));
    try (Connection c = connect()) {
      for (String id : watched) {
        move(c, id, "pending", "delivered", "delivered");
        move(c, id, "delivered", "running", "acked");
      }
    }

    System.out.printf("workers=%d seconds=%d probe-every=%dms%n", workers, seconds, probeMs);
    double baseline = phase(space, key, watched, workers, seconds, probeMs);
    System.out.printf("phase 1 (no subscribers): %.1f jobs/s%n", baseline);
    jobLatencies.clear();
    spaceLatencies.clear();

    List<WebSocket> sockets = new ArrayList<>();
    String ws = base.replace("http://", "ws://") + "/api/v1/realtime/";
    for (String id : watched) sockets.add(open(ws + id + "?token=" + key, jobLatencies));
    for (int i = 0; i < 5; i++) sockets.add(open(ws + "spaces/" + space + "?token=" + key, spaceLatencies));
    Thread.sleep(1000);
    framesReceived.set(0);
    double withStreams = phase(space, key, watched, workers, seconds, probeMs);
    Thread.sleep(2000);
    System.out.printf("phase 2 (200 job + 5 space streams): %.1f jobs/s (%+.1f%%)%n",
        withStreams, 100.0 * (withStreams - baseline) / baseline);
    report("job streams  ", jobLatencies, probeSent.size());
    report("space streams", spaceLatencies, probeSent.size() * 5);
    System.out.printf("frames received in phase 2: %d%n", framesReceived.get());
    for (WebSocket s : sockets) s.abort();
  }

  static double phase(String space, String key, List<String> watched, int workers, int seconds, int probeMs)
      throws Exception {
    probeSent.clear();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(workers + 1);
    for (int w = 0; w < workers; w++) {
      new Thread(() -> {
        try (Connection c = connect()) {
          while (!stop.get()) {
            String id = match(ID, post("/api/v1/spaces/" + space + "/jobs", key, "{\"name\":\"bench\"}"));
            move(c, id, "pending", "delivered", "delivered");
            move(c, id, "delivered", "running", "acked");
            progress(c, id, "{\"percent\":50,\"message\":\"working\"}");
            move(c, id, "running", "completed", "completed");
            done.incrementAndGet();
          }
        } catch (Exception e) {
          e.printStackTrace();
        } finally {
          finished.countDown();
        }
      }).start();
    }
    new Thread(() -> {
      try (Connection c = connect()) {
        long n = 0;
        while (!stop.get()) {
          long probe = n++;
          String id = watched.get((int) (probe % watched.size()));
          progress(c, id, "{\"percent\":1,\"message\":\"probe-" + probe + "\"}");
          probeSent.put(probe, System.nanoTime());
          Thread.sleep(probeMs);
        }
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        finished.countDown();
      }
    }).start();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    finished.await();
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }

  static WebSocket open(String url, List<Long> latencies) {
    return HTTP.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
      final StringBuilder partial = new StringBuilder();

      public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
        long now = System.nanoTime();
        partial.append(data);
        if (last) {
          framesReceived.incrementAndGet();
          Matcher p = PROBE.matcher(partial);
          // init frames repeat the latest progress: only progress events are deliveries
          if (partial.indexOf("\"type\":\"progress\"") >= 0 && p.find()) {
            Long sent = probeSent.get(Long.parseLong(p.group(1)));
            // a frame may beat the producer's own commit acknowledgement: count it as 0
            latencies.add(sent == null ? 0 : Math.max(0, now - sent));
          }
          partial.setLength(0);
        }
        s.request(1);
        return null;
      }
    }).join();
  }

  static void report(String what, List<Long> latencies, int expected) {
    List<Long> l = new ArrayList<>(latencies);
    Collections.sort(l);
    if (l.isEmpty()) {
      System.out.println(what + ": no samples");
      return;
    }
    System.out.printf("%s: %d/%d probe frames, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        what, l.size(), expected, l.get(l.size() / 2) / 1e6, l.get((int) (l.size() * 0.99)) / 1e6,
        l.get(l.size() - 1) / 1e6);
  }

  static Connection connect() throws Exception {
    return DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
  }

  static void move(Connection c, String id, String from, String to, String type) throws Exception {
    try (PreparedStatement s = c.prepareStatement(MOVE)) {
      s.setString(1, to);
      s.setString(2, to);
      s.setString(3, to);
      s.setString(4, id);
      s.setString(5, from);
      s.setString(6, type);
      if (s.executeUpdate() != 1) throw new IllegalStateException(id + " not " + from);
    }
  }

  static void progress(Connection c, String id, String json) throws Exception {
    try (PreparedStatement s = c.prepareStatement(PROGRESS)) {
      s.setString(1, json);
      s.setString(2, id);
      if (s.executeUpdate() != 1) throw new IllegalStateException(id + " not running");
    }
  }

  static String post(String path, String key, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("x-api-key", key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
    return r.body();
  }

  static String match(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) throw new IllegalStateException("no match in " + text);
    return m.group(1);
  }
}
