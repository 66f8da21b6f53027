import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Realtime delivery benchmark (issue 6). Compiled together with bench/lifecycle/LifecycleLoad.java
 * and run by run.sh, which starts Spool: {@code RealtimeBench <port> <adminKey> <spoolPid>}.
 *
 * <p>The load is the lifecycle benchmark's {@code steady} scenario, unchanged (4 producers create
 * jobs over HTTP, 8 workers long-poll, ack and complete them over HTTP), run twice against the
 * same Spool: once with no stream open, once with 200 job streams and 5 space streams open. Both
 * runs also have 200 "watched" jobs, claimed and acked through the worker endpoints, and a probe
 * that posts a progress event (the real {@code POST /jobs/:id/progress}) to one of them every
 * BENCH_PROBE_MS: the 200 job streams follow those jobs, the 5 space streams follow the whole
 * space (every lifecycle event and every probe).
 *
 * <p>Latency of a frame = when this client received it (System.currentTimeMillis) minus the event's
 * own {@code timestamp} (the database's now() in the writing transaction, i.e. when it started).
 * Same machine, same wall clock; millisecond resolution on both sides.
 *
 * <p>Loss: after the load, one last probe is sent and awaited on every stream (frames follow commit
 * order, so everything committed earlier has been sent by then). A space stream must have gap-free
 * {@code seq}, and for every job it saw exactly as many frames as the job has events ({@code GET
 * /jobs/:id}); a job stream must have received every probe of its job once.
 */
public class RealtimeBench {

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9A-Z]{26})\"");
  static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern DELIVERY = Pattern.compile("\"deliveryId\"\\s*:\\s*\"([^\"]+)\"");
  static final int WATCHED = 200;
  static final int SPACE_STREAMS = 5;

  static int port;
  static String base;
  static String adminKey;
  static String spoolPid;

  public static void main(String[] args) throws Exception {
    port = Integer.parseInt(args[0]);
    base = "http://127.0.0.1:" + port;
    adminKey = args[1];
    spoolPid = args[2];
    int seconds = env("BENCH_SECONDS", 30);
    int warmup = env("BENCH_WARMUP", 60);
    int probeMs = env("BENCH_PROBE_MS", 20);
    System.out.printf(
        "steady %d s per run, probe every %d ms, %d job streams + %d space streams%n",
        seconds, probeMs, WATCHED, SPACE_STREAMS);

    if (warmup > 0) {
      System.out.printf("warming up for %d s (with streams; not reported)%n", warmup);
      run("warm-up", true, warmup, probeMs);
    }
    vacuum();
    Run without = run("without streams", false, seconds, probeMs);
    vacuum();
    Run with = run("with streams", true, seconds, probeMs);

    double a = figure(without.steady, "jobs_per_s");
    double b = figure(with.steady, "jobs_per_s");
    System.out.println();
    System.out.println("=== Spool realtime benchmark ===");
    System.out.printf(
        Locale.ROOT,
        "steady throughput: %.0f jobs/s without streams, %.0f jobs/s with (%+.1f %%)%n",
        a,
        b,
        a == 0 ? 0 : 100 * (b - a) / a);
    System.out.printf(
        Locale.ROOT,
        "steady create->delivered: p50 %.1f / %.1f ms, p99 %.1f / %.1f ms (without / with)%n",
        figure(without.steady, "latency_p50_ms"),
        figure(with.steady, "latency_p50_ms"),
        figure(without.steady, "latency_p99_ms"),
        figure(with.steady, "latency_p99_ms"));
    System.out.println("job streams:   " + latency(with.jobLatencies));
    System.out.println("space streams: " + latency(with.spaceLatencies));
    System.out.printf(
        "frames: %d received; lost %d, duplicated %d, unexpected closes %d%n",
        with.frames, with.lost, with.duplicated, with.closes);
    System.out.println("without: " + without.steady);
    System.out.println("with:    " + with.steady);
  }

  /** What one run measured. */
  record Run(
      String steady,
      List<Long> jobLatencies,
      List<Long> spaceLatencies,
      long frames,
      long lost,
      long duplicated,
      long closes) {}

  /**
   * VACUUM (ANALYZE) of the benchmark's database ($BENCH_DB) through psql, between phases: the
   * PostgreSQL this runs against may have autovacuum off (this project's CI machine does), and
   * without it every phase would run on the dead rows of the ones before. A production server's
   * autovacuum does this continuously.
   */
  static void vacuum() throws Exception {
    String db = System.getenv("BENCH_DB");
    if (db == null || db.isEmpty()) {
      return;
    }
    Process p =
        new ProcessBuilder("psql", "-q", "-d", db, "-c", "VACUUM (ANALYZE)")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroy();
    }
  }

  static Run run(String label, boolean streams, int seconds, int probeMs) throws Exception {
    String space = match(ID, post("/api/v1/spaces", adminKey, "{\"name\":\"realtime\"}"));
    String key =
        match(
            KEY,
            post(
                "/api/v1/spaces/" + space + "/keys",
                adminKey,
                "{\"name\":\"bench\",\"scopes\":[\"jobs:create\",\"jobs:worker\",\"jobs:read\"]}"));
    List<String> watched = watchedJobs(space, key);

    List<Stream> jobStreams = new ArrayList<>();
    List<Stream> spaceStreams = new ArrayList<>();
    if (streams) {
      String ws = "ws://127.0.0.1:" + port + "/api/v1/realtime/";
      for (String id : watched) {
        jobStreams.add(Stream.open(ws + id + "?token=" + key, false));
      }
      for (int i = 0; i < SPACE_STREAMS; i++) {
        spaceStreams.add(Stream.open(ws + "spaces/" + space + "?token=" + key, true));
      }
      for (Stream s : jobStreams) {
        s.first.get(30, TimeUnit.SECONDS);
      }
      for (Stream s : spaceStreams) {
        s.first.get(30, TimeUnit.SECONDS);
      }
    }

    Probe probe = new Probe(key, watched, probeMs);
    Thread probing = new Thread(probe::loop, "probe");
    probing.start();
    String steady =
        LifecycleLoad.run(
            new String[] {"steady", String.valueOf(port), space, key, spoolPid, "" + seconds});
    probe.running.set(false);
    probing.join(30_000);
    System.out.println("  " + label + ": " + steady);
    if (!streams) {
      return new Run(steady, List.of(), List.of(), 0, 0, 0, 0);
    }

    // the last probe: once every stream has it, every earlier commit has been sent
    String last = watched.get(0);
    long marker = probe.send(last);
    List<Stream> all = new ArrayList<>(spaceStreams);
    all.add(jobStreams.get(0));
    long waitUntil = System.nanoTime() + 60_000_000_000L;
    for (Stream s : all) {
      while (!s.probes.containsKey(marker) && s.closed.getNow(null) == null) {
        if (System.nanoTime() > waitUntil) {
          break;
        }
        Thread.sleep(10);
      }
    }

    // each job stream is its own connection: give the last of its probes time to arrive too
    for (int i = 0; i < jobStreams.size(); i++) {
      Set<Long> sent = probe.sent.getOrDefault(watched.get(i), Set.of());
      Stream s = jobStreams.get(i);
      while (!s.probes.keySet().containsAll(sent)
          && s.closed.getNow(null) == null
          && System.nanoTime() < waitUntil) {
        Thread.sleep(10);
      }
    }

    long lost = 0;
    long duplicated = 0;
    long closes = 0;
    long frames = 0;
    List<Long> jobLatencies = new ArrayList<>();
    List<Long> spaceLatencies = new ArrayList<>();
    for (int i = 0; i < jobStreams.size(); i++) {
      Stream s = jobStreams.get(i);
      closes += s.closed.getNow(null) == null ? 0 : 1;
      frames += s.frames;
      jobLatencies.addAll(s.latencies);
      Set<Long> sent = probe.sent.getOrDefault(watched.get(i), Set.of());
      for (long p : sent) {
        int got = s.probes.getOrDefault(p, 0);
        lost += got == 0 ? 1 : 0;
        duplicated += Math.max(0, got - 1);
      }
    }
    Map<String, Integer> events = new HashMap<>();
    Set<String> watchedSet = new HashSet<>(watched);
    int probesSent = probe.sent.values().stream().mapToInt(Set::size).sum();
    for (Stream s : spaceStreams) {
      closes += s.closed.getNow(null) == null ? 0 : 1;
      frames += s.frames;
      spaceLatencies.addAll(s.latencies);
      lost += s.seqGaps;
      // watched jobs: their probes (the stream opened after their other events)
      int watchedFrames = 0;
      for (String id : watched) {
        watchedFrames += s.perJob.getOrDefault(id, 0);
      }
      lost += Math.max(0, probesSent - watchedFrames);
      duplicated += Math.max(0, watchedFrames - probesSent);
      // lifecycle jobs: created after the stream opened, so it must show every event they have
      for (Map.Entry<String, Integer> e : s.perJob.entrySet()) {
        if (watchedSet.contains(e.getKey())) {
          continue;
        }
        int expected = events.computeIfAbsent(e.getKey(), id -> eventCount(id, key));
        lost += Math.max(0, expected - e.getValue());
        duplicated += Math.max(0, e.getValue() - expected);
      }
    }
    for (Stream s : jobStreams) {
      s.socket.abort();
    }
    for (Stream s : spaceStreams) {
      s.socket.abort();
    }
    return new Run(steady, jobLatencies, spaceLatencies, frames, lost, duplicated, closes);
  }

  /** 200 jobs made running through the worker endpoints (claim by id, ack). */
  static List<String> watchedJobs(String space, String key) throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < WATCHED; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"name\":\"watched\",\"timeoutSeconds\":3600}");
    }
    List<String> ids = new ArrayList<>();
    Matcher m = ID.matcher(post("/api/v1/spaces/" + space + "/jobs", key, batch + "]"));
    while (m.find()) {
      ids.add(m.group(1));
    }
    for (String id : ids) {
      String delivery = match(DELIVERY, call("POST", "/api/v1/jobs/" + id + "/claim", key, null, 200));
      send(
          HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id + "/ack"))
              .header("x-api-key", key)
              .header("x-delivery-id", delivery)
              .POST(HttpRequest.BodyPublishers.noBody()),
          200);
    }
    return ids;
  }

  /** Posts a progress event to the watched jobs in turn, every probeMs, and remembers each. */
  static final class Probe {
    final String key;
    final List<String> jobs;
    final int everyMs;
    final AtomicBoolean running = new AtomicBoolean(true);
    final Map<String, Set<Long>> sent = new ConcurrentHashMap<>();
    long next;

    Probe(String key, List<String> jobs, int everyMs) {
      this.key = key;
      this.jobs = jobs;
      this.everyMs = everyMs;
    }

    void loop() {
      try {
        while (running.get()) {
          send(jobs.get((int) (next % jobs.size())));
          Thread.sleep(everyMs);
        }
      } catch (Exception e) {
        System.err.println("probe: " + e);
      }
    }

    long send(String job) throws Exception {
      long n = next++;
      call(
          "POST",
          "/api/v1/jobs/" + job + "/progress",
          key,
          "{\"percent\":1,\"message\":\"probe-" + n + "\"}",
          200);
      sent.computeIfAbsent(job, j -> ConcurrentHashMap.newKeySet()).add(n);
      return n;
    }
  }

  /**
   * One WebSocket: counts frames, records latencies of event frames, and per job (space stream) or
   * per probe (job stream) what it received. Frames are read with indexOf, not a JSON parser, to
   * keep this client cheap on a machine it shares with Spool and PostgreSQL.
   */
  static final class Stream implements WebSocket.Listener {
    final boolean space;
    final CompletableFuture<String> first = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> perJob = new ConcurrentHashMap<>();
    final Map<Long, Integer> probes = new ConcurrentHashMap<>();
    final StringBuilder partial = new StringBuilder();
    volatile long frames;
    volatile long seqGaps;
    long seq = -1;
    WebSocket socket;

    Stream(boolean space) {
      this.space = space;
    }

    static Stream open(String url, boolean space) {
      Stream s = new Stream(space);
      s.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(url), s).join();
      return s;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      long now = System.currentTimeMillis();
      partial.append(data);
      if (last) {
        frame(partial.toString(), now);
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    void frame(String f, long now) {
      String type = field(f, "\"type\":\"", 0);
      if (!first.isDone()) {
        if (space) {
          seq = Long.parseLong(number(f, f.lastIndexOf("\"seq\":") + 6));
        }
        first.complete(type);
        return;
      }
      frames++;
      int ts = f.lastIndexOf(",\"timestamp\":\"");
      long at = Instant.parse(field(f, ",\"timestamp\":\"", ts)).toEpochMilli();
      latencies.add(Math.max(0, now - at));
      String job = field(f, "\"jobId\":\"", 0);
      perJob.merge(job, 1, Integer::sum);
      int probe = f.indexOf("\"probe-"); // in the stored progress (jsonb: "message": "probe-n")
      if (probe >= 0) {
        probes.merge(Long.parseLong(number(f, probe + 7)), 1, Integer::sum);
      }
      if (space) {
        long s = Long.parseLong(number(f, f.lastIndexOf("\"seq\":") + 6));
        if (s != seq + 1) {
          seqGaps += Math.max(1, s - seq - 1);
        }
        seq = s;
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed.complete(code);
      first.complete("closed " + code);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(-1);
      first.completeExceptionally(error);
    }
  }

  static String field(String text, String prefix, int from) {
    int start = text.indexOf(prefix, from) + prefix.length();
    return text.substring(start, text.indexOf('"', start));
  }

  static String number(String text, int start) {
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return text.substring(start, end);
  }

  /** How many events a job has ({@code GET /jobs/:id}). */
  static int eventCount(String job, String key) {
    try {
      String body = call("GET", "/api/v1/jobs/" + job, key, null, 200);
      String events = body.substring(body.indexOf("\"events\":["));
      int n = 0;
      for (int i = events.indexOf("\"type\":\""); i >= 0; i = events.indexOf("\"type\":\"", i + 1)) {
        n++;
      }
      return n;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String latency(List<Long> samples) {
    List<Long> l = new ArrayList<>(samples);
    if (l.isEmpty()) {
      return "no frames";
    }
    Collections.sort(l);
    return String.format(
        Locale.ROOT,
        "%d frames, event -> frame p50 %d ms, p99 %d ms, max %d ms",
        l.size(),
        l.get(Math.max(0, (int) Math.ceil(0.5 * l.size()) - 1)),
        l.get(Math.max(0, (int) Math.ceil(0.99 * l.size()) - 1)),
        l.get(l.size() - 1));
  }

  static double figure(String line, String name) {
    Matcher m = Pattern.compile("(?:^| )" + name + "=([0-9.]+)").matcher(line);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static String post(String path, String key, String body) throws Exception {
    return call("POST", path, key, body, 201);
  }

  static String call(String method, String path, String key, String body, int status)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-api-key", key);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return send(b, status);
  }

  static String send(HttpRequest.Builder request, int status) throws Exception {
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static String match(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no match in " + text);
    }
    return m.group(1);
  }

  static int env(String name, int fallback) {
    return Integer.parseInt(System.getenv().getOrDefault(name, String.valueOf(fallback)));
  }
}
