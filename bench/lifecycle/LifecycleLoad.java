import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator for the job lifecycle (poll, ack, complete). Standard library only; run with the
 * JDK's source launcher: {@code java bench/lifecycle/LifecycleLoad.java <scenario> <port> <space>
 * <key> <spoolPid> <seconds>}. All traffic goes to 127.0.0.1; every loop is bounded in time.
 *
 * <p>Scenarios: {@code drain} (create 20,000 jobs, then 8 workers poll 50 at a time and ack +
 * complete each: jobs/s), {@code steady} (4 producers create single jobs, keeping at most 200
 * undelivered, while 8 workers long-poll: completed jobs/s and create→delivered latency), {@code
 * trickle} (one job every 20 ms, 8 idle long-polling workers: create→delivered latency).
 *
 * <p>{@link #run} returns the same line {@code main} prints, for a program compiled together with
 * this one (bench/realtime runs the steady scenario with and without streams open).
 * bench/dispatch reuses its HTTP client, thread helpers, call timings and CPU sampling.
 *
 * <p>Besides the figures it prints where the time went: mean latency per call type as seen by
 * the client, and CPU seconds used by Spool, PostgreSQL (all its processes: the machine is
 * shared) and this load generator during the measured phase.
 */
public class LifecycleLoad {

  static final Pattern JOB =
      Pattern.compile("\"id\":\"([0-9A-Z]{26})\",\"name\":\"[^\"]*\",\"payload\":(\\{[^}]*\\}|null).*?\"deliveryId\":\"([0-9A-Z]{26})\"");
  static final Pattern T = Pattern.compile("\"t\":(\\d+)");

  static int port;
  static String space;
  static String key;

  public static void main(String[] args) throws Exception {
    System.out.println(run(args));
  }

  /** Runs one scenario (arguments as for main) and returns its figures line. */
  static String run(String[] args) throws Exception {
    String scenario = args[0];
    port = Integer.parseInt(args[1]);
    space = args[2];
    key = args[3];
    long spoolPid = Long.parseLong(args[4]);
    long seconds = Long.parseLong(args[5]);
    Cpu before = Cpu.sample(spoolPid);
    long start = System.nanoTime();
    String figures =
        switch (scenario) {
          case "drain" -> drain(seconds);
          case "steady" -> steady(seconds);
          case "trickle" -> trickle(seconds);
          default -> throw new IllegalArgumentException(scenario);
        };
    double wall = (System.nanoTime() - start) / 1e9;
    Cpu after = Cpu.sample(spoolPid);
    return figures
        + String.format(
            Locale.ROOT,
            " cpu_spool_s=%.1f cpu_pg_s=%.1f cpu_client_s=%.1f wall_s=%.1f %s",
            after.spool - before.spool,
            after.postgres - before.postgres,
            after.self - before.self,
            wall,
            Calls.summary());
  }

  // ---- scenarios -----------------------------------------------------------------------------

  static String drain(long seconds) throws Exception {
    int total = 20_000;
    Http producer = new Http();
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"name\":\"drain\",\"payload\":{\"n\":").append(i).append("}}");
    }
    String body = batch.append(']').toString();
    for (int i = 0; i < total / 1000; i++) {
      producer.expect(201, "POST", "/api/v1/spaces/" + space + "/jobs", body, null);
    }
    producer.close();
    Calls.reset();
    AtomicLong done = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      workers.add(
          worker(
              () -> done.get() < total && System.nanoTime() < deadline,
              "{\"count\":50}",
              done,
              failures,
              null,
              true));
    }
    join(workers);
    double elapsed = (System.nanoTime() - start) / 1e9;
    return String.format(
        Locale.ROOT,
        "scenario=drain jobs=%d seconds=%.1f jobs_per_s=%.0f failures=%d",
        done.get(), elapsed, done.get() / elapsed, failures.get());
  }

  static String steady(long seconds) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong created = new AtomicLong();
    AtomicLong done = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      threads.add(
          worker(running::get, "{\"count\":10,\"waitSeconds\":2}", done, failures, latencies, true, delivered));
    }
    for (int p = 0; p < 4; p++) {
      threads.add(
          thread(
              () -> {
                try (Http http = new Http()) {
                  while (running.get()) {
                    if (created.get() - delivered.get() > 200) {
                      Thread.sleep(1);
                      continue;
                    }
                    created.incrementAndGet();
                    http.expect(201, "POST", "/api/v1/spaces/" + space + "/jobs",
                        "{\"name\":\"steady\",\"payload\":{\"t\":" + System.nanoTime() + "}}", null);
                  }
                }
                return null;
              }));
    }
    Thread.sleep(2_000); // warm-up, not measured
    long doneAtStart = done.get();
    latencies.clear();
    Calls.reset();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000);
    long measured = done.get() - doneAtStart;
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Long> lat = new ArrayList<>(latencies);
    running.set(false);
    join(threads);
    Collections.sort(lat);
    return String.format(
        Locale.ROOT,
        "scenario=steady completed=%d seconds=%.1f jobs_per_s=%.0f latency_p50_ms=%.1f latency_p99_ms=%.1f failures=%d",
        measured, elapsed, measured / elapsed, pct(lat, 0.5), pct(lat, 0.99), failures.get());
  }

  static String trickle(long seconds) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong done = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      threads.add(worker(running::get, "{\"count\":1,\"waitSeconds\":20}", done, failures, latencies, true));
    }
    Thread.sleep(1_000);
    Calls.reset();
    int sent = 0;
    try (Http http = new Http()) {
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long next = start;
      while (System.nanoTime() < end) {
        http.expect(201, "POST", "/api/v1/spaces/" + space + "/jobs",
            "{\"name\":\"trickle\",\"payload\":{\"t\":" + System.nanoTime() + "}}", null);
        sent++;
        next += 20_000_000L;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
    }
    long waitUntil = System.nanoTime() + 5_000_000_000L;
    while (done.get() < sent && System.nanoTime() < waitUntil) {
      Thread.sleep(10);
    }
    running.set(false);
    List<Long> lat = new ArrayList<>(latencies);
    Collections.sort(lat);
    // idle workers sit in a 20 s long poll; end the run without waiting for them
    threads.forEach(Thread::interrupt);
    return String.format(
        Locale.ROOT,
        "scenario=trickle created=%d completed=%d latency_p50_ms=%.1f latency_p99_ms=%.1f latency_max_ms=%.1f failures=%d",
        sent, done.get(), pct(lat, 0.5), pct(lat, 0.99), lat.isEmpty() ? 0 : lat.get(lat.size() - 1) / 1e6,
        failures.get());
  }

  // ---- the worker loop ------------------------------------------------------------------------

  interface Condition {
    boolean holds();
  }

  interface Body {
    Object run() throws Exception;
  }

  static Thread worker(Condition go, String pollBody, AtomicLong done, AtomicLong failures,
      ConcurrentLinkedQueue<Long> latencies, boolean fenced) {
    return worker(go, pollBody, done, failures, latencies, fenced, new AtomicLong());
  }

  /** Polls, then acks and completes each job it got (with x-delivery-id), until told to stop. */
  static Thread worker(Condition go, String pollBody, AtomicLong done, AtomicLong failures,
      ConcurrentLinkedQueue<Long> latencies, boolean fenced, AtomicLong delivered) {
    return thread(
        () -> {
          try (Http http = new Http()) {
            while (go.holds()) {
              String answer = http.expect(200, "POST", "/api/v1/spaces/" + space + "/jobs/poll", pollBody, null);
              long received = System.nanoTime();
              Matcher m = JOB.matcher(answer);
              List<String[]> jobs = new ArrayList<>();
              while (m.find()) {
                jobs.add(new String[] {m.group(1), m.group(3)});
                if (latencies != null) {
                  Matcher t = T.matcher(m.group(2));
                  if (t.find()) {
                    latencies.add(received - Long.parseLong(t.group(1)));
                  }
                }
              }
              delivered.addAndGet(jobs.size());
              for (String[] job : jobs) {
                String delivery = fenced ? job[1] : null;
                int a = http.call("POST", "/api/v1/jobs/" + job[0] + "/ack", null, delivery).status;
                int c = http.call("POST", "/api/v1/jobs/" + job[0] + "/complete", "{\"result\":{\"ok\":true}}", delivery).status;
                if (a == 200 && c == 200) {
                  done.incrementAndGet();
                } else {
                  failures.incrementAndGet();
                }
              }
            }
          } catch (IOException e) {
            if (go.holds()) {
              failures.incrementAndGet();
              System.err.println("worker: " + e);
            }
          }
          return null;
        });
  }

  static Thread thread(Body body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (InterruptedException e) {
        // stopped
      } catch (Exception e) {
        System.err.println(e);
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(60_000);
    }
  }

  static double pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
  }

  // ---- where the time goes --------------------------------------------------------------------

  /** Client-side time per call type. */
  static final class Calls {
    static final String[] TYPES = {"poll", "ack", "complete", "create"};
    static final AtomicLong[] COUNT = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
    static final AtomicLong[] NANOS = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};

    static int type(String path) {
      if (path.endsWith("/poll")) return 0;
      if (path.endsWith("/ack")) return 1;
      if (path.endsWith("/complete")) return 2;
      return 3;
    }

    static void record(String path, long nanos) {
      int t = type(path);
      COUNT[t].incrementAndGet();
      NANOS[t].addAndGet(nanos);
    }

    static void reset() {
      for (int i = 0; i < TYPES.length; i++) {
        COUNT[i].set(0);
        NANOS[i].set(0);
      }
    }

    static String summary() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < TYPES.length; i++) {
        long n = COUNT[i].get();
        b.append(String.format(Locale.ROOT, "%s_n=%d %s_mean_ms=%.2f ", TYPES[i], n, TYPES[i],
            n == 0 ? 0 : NANOS[i].get() / 1e6 / n));
      }
      return b.toString().trim();
    }
  }

  /** CPU seconds (user + system) of Spool, of every postgres process, and of this JVM. */
  record Cpu(double spool, double postgres, double self) {
    static Cpu sample(long spoolPid) {
      double pg = 0;
      try (var dirs = Files.list(Path.of("/proc"))) {
        for (Path p : (Iterable<Path>) dirs::iterator) {
          String name = p.getFileName().toString();
          if (!name.chars().allMatch(Character::isDigit)) continue;
          String comm = read(p.resolve("comm")).trim();
          if (comm.startsWith("postgres") && ours(read(p.resolve("cmdline")))) pg += seconds(p);
        }
      } catch (IOException e) {
        // best effort
      }
      return new Cpu(seconds(Path.of("/proc/" + spoolPid)), pg, seconds(Path.of("/proc/self")));
    }

    /**
     * The server's shared processes (WAL writer, checkpointer, ...) and the backends of the
     * benchmark's database ($BENCH_DB), not those of other databases on the same server: the
     * machine may be running other work against it.
     */
    static boolean ours(String cmdline) {
      String db = System.getenv("BENCH_DB");
      boolean backend = cmdline.contains("127.0.0.1(") || cmdline.contains("[local]");
      return db == null || db.isEmpty() || !backend || cmdline.contains(" " + db + " ");
    }

    static double seconds(Path proc) {
      String stat = read(proc.resolve("stat"));
      int close = stat.lastIndexOf(')');
      if (close < 0) return 0;
      String[] f = stat.substring(close + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    static String read(Path p) {
      try {
        return Files.readString(p);
      } catch (IOException e) {
        return "";
      }
    }
  }

  // ---- a minimal HTTP/1.1 keep-alive client over a socket ------------------------------------

  record Response(int status, String body) {}

  static final class Http implements AutoCloseable {
    String apiKey; // null: the run's key (bench/dispatch spreads many workers over several keys)
    Socket socket;
    OutputStream out;
    InputStream in;

    String expect(int status, String method, String path, String body, String delivery) throws IOException {
      Response r = call(method, path, body, delivery);
      if (r.status != status) {
        throw new IOException(method + " " + path + " answered " + r.status + ": " + r.body);
      }
      return r.body;
    }

    Response call(String method, String path, String body, String delivery) throws IOException {
      long t0 = System.nanoTime();
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(40_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 65536);
      }
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder()
          .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("x-api-key: ").append(apiKey != null ? apiKey : key).append("\r\n")
          .append("Content-Length: ").append(bytes.length).append("\r\n");
      if (body != null) head.append("Content-Type: application/json\r\n");
      if (delivery != null) head.append("x-delivery-id: ").append(delivery).append("\r\n");
      head.append("\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[h.length + bytes.length];
      System.arraycopy(h, 0, request, 0, h.length);
      System.arraycopy(bytes, 0, request, h.length, bytes.length);
      out.write(request);
      out.flush();
      Response r = read();
      Calls.record(path, System.nanoTime() - t0);
      return r;
    }

    private Response read() throws IOException {
      String statusLine = line();
      if (statusLine == null) throw new IOException("connection closed");
      int status = Integer.parseInt(statusLine.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      String l;
      while ((l = line()) != null && !l.isEmpty()) {
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
        else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        else if (lower.startsWith("connection:") && lower.contains("close")) close = true;
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        while (true) {
          int size = Integer.parseInt(line().trim().split(";")[0], 16);
          body.write(in.readNBytes(size));
          line();
          if (size == 0) break;
        }
      } else if (length > 0) {
        body.write(in.readNBytes((int) length));
      }
      if (close) close();
      return new Response(status, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          int len = b.length();
          return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
        }
        b.append((char) c);
      }
      return b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() {
      try {
        if (socket != null) socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
