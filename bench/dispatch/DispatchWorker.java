import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One worker of the dispatch benchmark (bench/dispatch/DispatchLoad.java): its poll connection,
 * which is also its first lane, and up to {@link DispatchLoad#IN_FLIGHT} - 1 more lanes for the
 * per-job calls of its mode (see DispatchLoad). Also reads poll answers and writes batch bodies.
 */
final class DispatchWorker implements AutoCloseable {
  final String mode;
  final String apiKey;
  final LifecycleLoad.Http http = new LifecycleLoad.Http();
  final List<LifecycleLoad.Http> lanes = Collections.synchronizedList(new ArrayList<>());
  final ThreadLocal<LifecycleLoad.Http> lane = ThreadLocal.withInitial(this::connection);
  ExecutorService pool; // made on first need: an idle worker rarely holds two jobs at once

  DispatchWorker(String mode, String apiKey) {
    this.mode = mode;
    this.apiKey = apiKey;
    http.apiKey = apiKey;
  }

  LifecycleLoad.Http connection() {
    LifecycleLoad.Http h = new LifecycleLoad.Http();
    h.apiKey = apiKey;
    lanes.add(h);
    return h;
  }

  /** The jobs of one poll as {id, deliveryId, t (or -1)}; null after a failed poll. */
  List<String[]> poll(String body) throws InterruptedException {
    try {
      LifecycleLoad.Response r = http.call("POST", DispatchLoad.jobs() + "/poll", body, null);
      if (r.status() == 200) {
        return parse(r.body());
      }
      System.err.println("poll answered " + r.status() + ": " + r.body());
    } catch (IOException e) {
      System.err.println("poll: " + e);
      http.close();
    }
    DispatchLoad.FAILURES.incrementAndGet();
    Thread.sleep(100); // a failing server is not hammered
    return null;
  }

  void finish(List<String[]> got) throws Exception {
    if (mode.equals("batch")) {
      batch(got);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> others = new ArrayList<>();
    for (int k = 1; k < Math.min(DispatchLoad.IN_FLIGHT, got.size()); k++) {
      if (pool == null) pool = Executors.newFixedThreadPool(DispatchLoad.IN_FLIGHT - 1, r -> daemon(r));
      others.add(pool.submit(() -> each(lane.get(), got, next)));
    }
    each(http, got, next);
    for (Future<?> f : others) f.get();
  }

  void each(LifecycleLoad.Http h, List<String[]> got, AtomicInteger next) {
    for (int i; (i = next.getAndIncrement()) < got.size(); ) {
      String[] job = got.get(i);
      try {
        boolean ok = mode.equals("ackpoll")
            || h.call("POST", "/api/v1/jobs/" + job[0] + "/ack", null, job[1]).status() == 200;
        ok = ok && h.call("POST", "/api/v1/jobs/" + job[0] + "/complete", DispatchLoad.RESULT, job[1]).status() == 200;
        (ok ? DispatchLoad.DONE : DispatchLoad.FAILURES).incrementAndGet();
      } catch (IOException e) {
        System.err.println("worker: " + e);
        DispatchLoad.FAILURES.incrementAndGet();
        h.close();
      }
    }
  }

  void batch(List<String[]> got) {
    try {
      LifecycleLoad.Response r = http.call("POST", DispatchLoad.jobs() + "/complete", batchBody(got), null);
      int ok = r.status() == 200 ? count(r.body(), "\"status\":\"completed\"") : 0;
      DispatchLoad.DONE.addAndGet(ok);
      DispatchLoad.FAILURES.addAndGet(got.size() - ok);
    } catch (IOException e) {
      System.err.println("batch complete: " + e);
      DispatchLoad.FAILURES.addAndGet(got.size());
      http.close();
    }
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
    http.close();
    lanes.forEach(LifecycleLoad.Http::close);
  }

static Thread daemon(Runnable r) {
  Thread t = new Thread(r);
  t.setDaemon(true);
  return t;
}

static final Pattern ID = Pattern.compile("\"id\":\"([0-9A-Z]{26})\"");
static final Pattern DELIVERY = Pattern.compile("\"deliveryId\":\"([^\"]+)\"");

/**
 * The jobs of a poll answer as {id, deliveryId, payload's t or -1}, whatever the order of the
 * descriptor's fields: each job's part of the answer runs from its "id" to the next job's.
 */
static List<String[]> parse(String answer) {
  List<Integer> starts = new ArrayList<>();
  List<String> ids = new ArrayList<>();
  for (Matcher m = ID.matcher(answer); m.find(); ) {
    starts.add(m.start());
    ids.add(m.group(1));
  }
  List<String[]> got = new ArrayList<>();
  for (int i = 0; i < ids.size(); i++) {
    String part = answer.substring(starts.get(i), i + 1 < ids.size() ? starts.get(i + 1) : answer.length());
    Matcher d = DELIVERY.matcher(part);
    Matcher t = LifecycleLoad.T.matcher(part);
    got.add(new String[] {ids.get(i), d.find() ? d.group(1) : null, t.find() ? t.group(1) : "-1"});
  }
  return got;
}

static String batchBody(List<String[]> got) {
  StringBuilder b = new StringBuilder("{\"jobs\":[");
  for (int i = 0; i < got.size(); i++) {
    b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(got.get(i)[0]).append("\",\"deliveryId\":\"")
        .append(got.get(i)[1]).append("\",\"result\":{\"ok\":true}}");
  }
  return b.append("]}").toString();
}

static int count(String s, String part) {
  int n = 0;
  for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
  return n;
}
}
