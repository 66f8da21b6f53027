package dev.spool.realtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketSession;

/**
 * The open realtime connections of this instance and their housekeeping: an {@link Outbox} per
 * connection, pings every {@code spool.realtime.ping-interval}, a send-time check every second, and
 * a small pool that runs close handshakes (which may block on a stuck socket) off the feed thread.
 */
@Component
class Connections implements SmartLifecycle {

  private final RealtimeProperties properties;
  private final RealtimeFeed feed;
  private final Set<Outbox> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> perJob = new ConcurrentHashMap<>();
  private final AtomicLong slowClosed = new AtomicLong();
  private final ThreadPoolExecutor closer;
  private ScheduledExecutorService timer;
  private volatile boolean running;

  Connections(RealtimeProperties properties, RealtimeFeed feed) {
    this.properties = properties;
    this.feed = feed;
    AtomicInteger n = new AtomicInteger();
    this.closer =
        new ThreadPoolExecutor(
            8,
            8,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> daemon(r, "spool-realtime-close-" + n.incrementAndGet()));
    closer.allowCoreThreadTimeOut(true);
  }

  Outbox open(WebSocketSession session) {
    Outbox out = new Outbox(session, properties, closer, slowClosed::incrementAndGet);
    open.add(out);
    String job = (String) session.getAttributes().get(RealtimeHandshake.JOB_ID);
    if (job != null) {
      perJob.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
    }
    return out;
  }

  void closed(Outbox out) {
    if (open.remove(out)) {
      String job = (String) out.attributes().get(RealtimeHandshake.JOB_ID);
      if (job != null) {
        perJob.computeIfPresent(job, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    }
  }

  /**
   * True when one more connection would exceed {@code max-connections}. Checked at the upgrade
   * ({@code counted} false), and again once open ({@code counted} true: the upgrades of a burst all
   * pass the first check together).
   */
  boolean full(boolean counted) {
    return open.size() + (counted ? 0 : 1) > properties.maxConnections();
  }

  /** True when one more stream of {@code jobId} would exceed {@code max-connections-per-job}. */
  boolean jobFull(String jobId, boolean counted) {
    AtomicInteger n = perJob.get(jobId);
    return n != null && n.get() + (counted ? 0 : 1) > properties.maxConnectionsPerJob();
  }

  /** Visits every open connection of this instance. */
  void forEachOpen(java.util.function.Consumer<Outbox> visitor) {
    open.forEach(visitor);
  }

  int openCount() {
    return open.size();
  }

  /** Connections closed with 1008 for being too slow, since start. */
  long slowConsumersClosed() {
    return slowClosed.get();
  }

  @Override
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "spool-realtime-timer"));
    long ping = properties.pingInterval().toMillis();
    timer.scheduleWithFixedDelay(
        () -> open.forEach(Outbox::ping), ping, ping, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(() -> open.forEach(Outbox::checkSendTime), 1, 1, TimeUnit.SECONDS);
    timer.scheduleWithFixedDelay(feed::sweep, 5, 5, TimeUnit.SECONDS);
    running = true;
  }

  /**
   * Stops the timer. The closer stays usable (its idle threads end by themselves): connections
   * opened before a stop may still need it, e.g. when a test context is paused and resumed.
   */
  @Override
  public void stop() {
    running = false;
    timer.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
