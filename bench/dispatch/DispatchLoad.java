import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator of the dispatch benchmark (issue 12), compiled together with DispatchWorker.java
 * and bench/lifecycle/LifecycleLoad.java, whose HTTP client, thread helpers, per-call timings and
 * CPU sampling it reuses. Run by bench/dispatch/run.sh: {@code DispatchLoad <scenario> <port> <space>
 * <keys> <spoolPid> <seconds> <args...>}; {@code keys} is a comma-separated list that the workers
 * take in turn. Prints one line of {@code name=value} figures. All traffic goes to 127.0.0.1; every
 * loop is bounded in time.
 *
 * <p>Worker modes: {@code emit} (poll, then ack + complete each job: the emit.run path), {@code
 * ackpoll} (poll with {@code "ack": true}, then complete each job), {@code batch} (poll with ack,
 * then one {@code POST /spaces/:id/jobs/complete} for the whole poll). Per-job calls run on up to
 * {@link #IN_FLIGHT} connections per worker at once.
 *
 * <p>Scenarios: {@code probe <mode>} (one job taken the mode's way: {@code available=0} when the
 * server lacks ack on poll or the batch call), {@code fill <n>} (creates n jobs, 1000 per request),
 * {@code drain <mode>} (8 workers poll 50 until the space is empty), {@code flow <rate> <workers>
 * [mode]} (producers offer {@code rate} jobs/s on a fixed schedule, whatever the server's pace,
 * while long-polling workers take them; 2 s of warm-up, then {@code seconds} measured).
 */
public class DispatchLoad {

  static final int DRAIN_WORKERS = 8;
  static final int IN_FLIGHT = 4;
  static final String RESULT = "{\"result\":{\"ok\":true}}";
  static final AtomicLong DONE = new AtomicLong();
  static final AtomicLong FAILURES = new AtomicLong();

  static String[] keys;
  static long seconds;
  // nanoTime bounds of flow's measured window: latencies are those of the jobs delivered in it,
  // whenever they were created (a growing backlog shows as latency)
  static volatile long windowStart = Long.MAX_VALUE;
  static volatile long windowEnd = Long.MAX_VALUE;

  public static void main(String[] a) throws Exception {
    LifecycleLoad.port = Integer.parseInt(a[1]);
    LifecycleLoad.space = a[2];
    keys = a[3].split(",");
    LifecycleLoad.key = keys[0];
    long pid = Long.parseLong(a[4]);
    seconds = Long.parseLong(a[5]);
    String figures =
        switch (a[0]) {
          case "probe" -> probe(a[6]);
          case "fill" -> fill(Integer.parseInt(a[6]));
          case "drain" -> drain(a[6], pid);
          case "flow" -> flow(Double.parseDouble(a[6]), Integer.parseInt(a[7]), a.length > 8 ? a[8] : "emit", pid);
          default -> throw new IllegalArgumentException("unknown scenario " + a[0]);
        };
    System.out.println(figures + " " + LifecycleLoad.Calls.summary());
    System.exit(0); // idle workers may sit in a long poll: end without waiting for them
  }

  static String jobs() {
    return "/api/v1/spaces/" + LifecycleLoad.space + "/jobs";
  }

  static String pollBody(String mode, int count, int waitSeconds) {
    return "{\"count\":" + count + (mode.equals("emit") ? "" : ",\"ack\":true")
        + (waitSeconds > 0 ? ",\"waitSeconds\":" + waitSeconds : "") + "}";
  }

  // ---- scenarios -----------------------------------------------------------------------------

  static String probe(String mode) throws Exception {
    try (LifecycleLoad.Http h = new LifecycleLoad.Http()) {
      h.expect(201, "POST", jobs(), "{\"name\":\"probe\",\"payload\":{\"n\":0}}", null);
      LifecycleLoad.Response r = h.call("POST", jobs() + "/poll", pollBody(mode, 1, 0), null);
      List<String[]> got = r.status() == 200 ? DispatchWorker.parse(r.body()) : List.of();
      if (got.isEmpty()) return "available=0 reason=poll_answered_" + r.status();
      String[] job = got.get(0);
      String why = null;
      if (!mode.equals("emit") && !r.body().contains("\"status\":\"running\"")) {
        why = "poll_ignores_ack";
      } else if (mode.equals("batch")) {
        LifecycleLoad.Response c = h.call("POST", jobs() + "/complete", DispatchWorker.batchBody(List.<String[]>of(job)), null);
        if (c.status() == 200 && c.body().contains("\"status\":\"completed\"")) return "available=1";
        why = "batch_complete_answered_" + c.status();
      }
      // the single complete takes a delivered job too (an implicit ack): the space is left empty
      h.call("POST", "/api/v1/jobs/" + job[0] + "/complete", RESULT, job[1]);
      return why == null ? "available=1" : "available=0 reason=" + why;
    }
  }

  static String fill(int n) throws Exception {
    try (LifecycleLoad.Http h = new LifecycleLoad.Http()) {
      for (int done = 0; done < n; done += 1000) {
        StringBuilder b = new StringBuilder("[");
        for (int i = done; i < Math.min(n, done + 1000); i++) {
          b.append(i == done ? "" : ",").append("{\"name\":\"drain\",\"payload\":{\"n\":").append(i).append("}}");
        }
        h.expect(201, "POST", jobs(), b.append(']').toString(), null);
      }
    }
    return "created=" + n;
  }

  /** 8 workers poll 50 jobs at a time and finish them the mode's way, until a poll comes back empty. */
  static String drain(String mode, long pid) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    LifecycleLoad.Cpu before = LifecycleLoad.Cpu.sample(pid);
    long[] machine0 = machine();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < DRAIN_WORKERS; w++) {
      DispatchWorker worker = new DispatchWorker(mode, keys[w % keys.length]);
      threads.add(LifecycleLoad.thread(() -> {
        try (worker) {
          while (System.nanoTime() < deadline) {
            List<String[]> got = worker.poll(pollBody(mode, 50, 0));
            if (got == null) continue;
            if (got.isEmpty()) break;
            worker.finish(got);
          }
        }
        return null;
      }));
    }
    for (Thread t : threads) t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 30_000);
    double elapsed = (System.nanoTime() - start) / 1e9;
    LifecycleLoad.Cpu after = LifecycleLoad.Cpu.sample(pid);
    long done = DONE.get();
    return String.format(Locale.ROOT,
        "scenario=drain mode=%s jobs=%d seconds=%.2f jobs_per_s=%.0f failures=%d machine_cpu_pct=%.0f %s",
        mode, done, elapsed, done / elapsed, FAILURES.get(), machinePct(machine0, machine()),
        cpu(before, after, elapsed, done));
  }

  /** Producers offer {@code rate} jobs/s on a fixed schedule while long-polling workers take them. */
  static String flow(double rate, int workers, String mode, long pid) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong created = new AtomicLong();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    for (int w = 0; w < workers; w++) {
      DispatchWorker worker = new DispatchWorker(mode, keys[w % keys.length]);
      LifecycleLoad.thread(() -> {
        try (worker) {
          while (running.get()) {
            List<String[]> got = worker.poll(pollBody(mode, 10, 20));
            if (got == null) continue;
            long received = System.nanoTime();
            for (String[] job : got) {
              long t = Long.parseLong(job[2]);
              if (t > 0 && received >= windowStart && received <= windowEnd) latencies.add(received - t);
            }
            worker.finish(got);
          }
        }
        return null;
      });
    }
    Thread.sleep(500); // every worker is waiting in its first long poll
    AtomicLong tickets = new AtomicLong();
    long t0 = System.nanoTime();
    // one connection per 25 jobs/s: the schedule holds as long as a create takes under 40 ms
    int producers = (int) Math.max(1, Math.min(128, Math.ceil(rate / 25)));
    for (int p = 0; p < producers; p++) {
      LifecycleLoad.thread(() -> {
        try (LifecycleLoad.Http http = new LifecycleLoad.Http()) {
          while (running.get()) {
            long due = t0 + (long) (tickets.getAndIncrement() * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            if (!running.get()) break;
            String body = "{\"name\":\"flow\",\"payload\":{\"t\":" + System.nanoTime() + "}}";
            try {
              if (http.call("POST", jobs(), body, null).status() == 201) created.incrementAndGet();
              else FAILURES.incrementAndGet();
            } catch (IOException e) { // counted; the next tick reconnects
              FAILURES.incrementAndGet();
              System.err.println("producer: " + e);
              http.close();
            }
          }
        }
        return null;
      });
    }
    Thread.sleep(2_000); // warm-up, not measured
    long created0 = created.get();
    long done0 = DONE.get();
    LifecycleLoad.Calls.reset();
    LifecycleLoad.Cpu before = LifecycleLoad.Cpu.sample(pid);
    long[] machine0 = machine();
    windowStart = System.nanoTime();
    Thread.sleep(seconds * 1000);
    windowEnd = System.nanoTime();
    double elapsed = (windowEnd - windowStart) / 1e9;
    long made = created.get() - created0;
    long done = DONE.get() - done0;
    // at the window's end: how far the producers are behind their schedule, and how many created
    // jobs are not completed yet (queued or in a worker's hands)
    long lag = (long) ((windowEnd - t0) * rate / 1e9) - created.get();
    long backlog = created.get() - DONE.get();
    LifecycleLoad.Cpu after = LifecycleLoad.Cpu.sample(pid);
    double machinePct = machinePct(machine0, machine());
    running.set(false);
    List<Long> lat = new ArrayList<>(latencies);
    Collections.sort(lat);
    // As offered: the window's creates and completions reach 97 % of the offered rate, and neither
    // the producers nor the workers end it more than a quarter of a second of jobs behind (plus
    // one job per connection in flight): a window that only catches up on a backlog from the
    // warm-up is not as offered.
    boolean asOffered = made >= 0.97 * rate * elapsed && done >= 0.97 * rate * elapsed
        && lag <= producers + 0.25 * rate && backlog <= workers + 0.25 * rate;
    return String.format(Locale.ROOT,
        "scenario=flow mode=%s offered_per_s=%.0f workers=%d producers=%d seconds=%.1f created_per_s=%.0f"
            + " jobs_per_s=%.0f as_offered=%s latency_p50_ms=%.1f latency_p99_ms=%.1f latency_max_ms=%.1f"
            + " latency_n=%d producer_lag=%d backlog=%d failures=%d machine_cpu_pct=%.0f %s",
        mode, rate, workers, producers, elapsed, made / elapsed, done / elapsed, asOffered ? "yes" : "no",
        LifecycleLoad.pct(lat, 0.5), LifecycleLoad.pct(lat, 0.99), LifecycleLoad.pct(lat, 1.0), lat.size(),
        lag, backlog, FAILURES.get(), machinePct, cpu(before, after, elapsed, done));
  }

  // ---- CPU -----------------------------------------------------------------------------------

  /** Spool's and PostgreSQL's CPU as % of one core, and their CPU milliseconds per job. */
  static String cpu(LifecycleLoad.Cpu before, LifecycleLoad.Cpu after, double wall, long jobs) {
    double spool = after.spool() - before.spool();
    double pg = after.postgres() - before.postgres();
    return String.format(Locale.ROOT,
        "cpu_spool_pct=%.0f cpu_pg_pct=%.0f cpu_client_pct=%.0f cpu_ms_per_job=%.3f",
        100 * spool / wall, 100 * pg / wall, 100 * (after.self() - before.self()) / wall,
        jobs == 0 ? 0 : 1000 * (spool + pg) / jobs);
  }

  /** /proc/stat's first line: {busy, total} jiffies of the whole machine. */
  static long[] machine() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i <= 8 && i < f.length; i++) total += Long.parseLong(f[i]);
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {total - idle, total};
  }

  /** Busy share of all cores between two samples (100 = every core busy). */
  static double machinePct(long[] a, long[] b) {
    long total = b[1] - a[1];
    return total <= 0 ? 0 : 100.0 * (b[0] - a[0]) / total;
  }
}
