package dev.spool.realtime;

import dev.spool.system.PgNotifications;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Brings every committed job event to this instance's subscribers. The bus ({@link
 * PgNotifications}) says "transaction T committed events in spaces A, B"; if this instance has a
 * stream open on one of them, T's events are fetched and published — on one feed thread, so in
 * commit order, and never on the bus thread. Spaces nobody watches cost nothing but the
 * notification.
 *
 * <p>A gap — the bus reconnected, or the fetch queue overflowed — restarts every space's stream
 * instance (see {@link SpaceHub#restart()}).
 */
@Component
class RealtimeFeed implements PgNotifications.Listener, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RealtimeFeed.class);
  private static final int RECENT_TX = 256;

  private final PgNotifications bus;
  private final FeedQueries queries;
  private final Frames frames;
  private final RealtimeProperties properties;
  private final Map<String, SpaceHub> hubs = new ConcurrentHashMap<>();
  private final Set<Long> recentTx = new LinkedHashSet<>();
  private final AtomicBoolean overflowed = new AtomicBoolean();
  private final AtomicLong published = new AtomicLong();
  private final ThreadPoolExecutor fetcher;
  private volatile boolean running;

  RealtimeFeed(PgNotifications bus, FeedQueries queries, Frames frames, RealtimeProperties properties) {
    this.bus = bus;
    this.queries = queries;
    this.frames = frames;
    this.properties = properties;
    this.fetcher =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(properties.fetchQueue()),
            r -> {
              Thread t = new Thread(r, "spool-realtime-feed");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (!PgNotifications.EVENTS.equals(channel) || hubs.isEmpty()) {
      return;
    }
    int colon = payload.indexOf(':');
    long tx;
    Set<String> spaces = null; // null: any space (payload "T:*", or an old-style "T")
    try {
      tx = Long.parseLong(colon < 0 ? payload : payload.substring(0, colon));
    } catch (NumberFormatException e) {
      log.warn("Ignoring malformed {} payload", PgNotifications.EVENTS);
      return;
    }
    if (colon >= 0 && !payload.endsWith(":*")) {
      spaces = new HashSet<>(List.of(payload.substring(colon + 1).split(",")));
      spaces.retainAll(hubs.keySet());
      if (spaces.isEmpty()) {
        return;
      }
    }
    Set<String> only = spaces;
    submit(() -> fetch(tx, only));
  }

  @Override
  public void onReconnect() {
    markGap("the notification bus reconnected");
  }

  private void markGap(String why) {
    log.warn("Realtime streams restart: {}", why);
    // runs after everything already queued, so the restart lands between two transactions
    submit(this::restartAll);
  }

  private void submit(Runnable task) {
    try {
      fetcher.execute(task);
    } catch (RejectedExecutionException e) {
      if (running && overflowed.compareAndSet(false, true)) {
        log.warn("Realtime streams restart: the fetch queue is full");
        fetcher.getQueue().clear();
        fetcher.execute(
            () -> {
              overflowed.set(false);
              restartAll();
            });
      }
    }
  }

  /** Fetches one committed transaction's events for the spaces watched here and publishes them. */
  private void fetch(long tx, Set<String> spaces) {
    if (!recentTx.add(tx)) {
      return; // a transaction with several space sets notifies more than once; fetch it once
    }
    if (recentTx.size() > RECENT_TX) {
      recentTx.remove(recentTx.iterator().next());
    }
    List<SpaceHub> targets = new ArrayList<>();
    for (SpaceHub hub : spaces == null ? hubs.values() : spaces.stream().map(hubs::get).toList()) {
      if (hub != null && hub.isReady()) {
        targets.add(hub);
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    try {
      FeedQueries.TxEvents got = queries.eventsOf(tx, targets.stream().map(h -> h.spaceId).toList());
      for (SpaceHub hub : targets) {
        List<StoredEvent> mine = got.events().stream().filter(e -> e.spaceId().equals(hub.spaceId)).toList();
        if (mine.isEmpty()) {
          continue;
        }
        Map<String, Long> deltas = got.deltas().get(hub.spaceId);
        if (!got.deltasComplete()) {
          // the roll-up may have folded this transaction's deltas: read the counts again; the
          // new snapshot sees this transaction, so its deltas are not applied twice
          snapshot(hub);
        }
        hub.publish(tx, mine, deltas);
        published.addAndGet(mine.size());
      }
    } catch (RuntimeException e) {
      // the events are committed but we could not read them: that is a gap for these spaces
      log.warn("Fetching events of transaction {} failed: {}", tx, e.toString());
      targets.forEach(this::restart);
    }
  }

  private void restartAll() {
    hubs.values().forEach(this::restart);
  }

  private void restart(SpaceHub hub) {
    hub.restart();
    snapshot(hub);
  }

  /** Reads the space's counts (on the feed thread, between two transactions) and marks it ready. */
  private void snapshot(SpaceHub hub) {
    try {
      FeedQueries.CountsSnapshot s = queries.countsOf(hub.spaceId);
      hub.snapshot(s.snapshot(), s.counts());
    } catch (RuntimeException e) {
      log.warn("Reading counts of space {} failed: {}", hub.spaceId, e.toString());
      hub.snapshotFailed(e);
    }
  }

  /**
   * The hub of a space, ready to take subscribers; the caller must {@link #release} it. A new
   * hub is registered before its counts are read, so no transaction committed after that read
   * can slip by unfetched.
   */
  SpaceHub acquire(String spaceId) throws Exception {
    boolean[] created = {false};
    SpaceHub hub =
        hubs.compute(
            spaceId,
            (id, existing) -> {
              SpaceHub h = existing;
              if (h == null) {
                h = new SpaceHub(id, frames, properties);
                created[0] = true;
              }
              h.hold();
              return h;
            });
    if (created[0] || hub.retrySnapshot()) {
      submit(() -> snapshot(hub));
    }
    try {
      hub.readiness().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      release(hub);
      throw e;
    }
    return hub;
  }

  void release(SpaceHub hub) {
    hub.release();
  }

  /** Drops the hubs nobody used for longer than the grace period. */
  void sweep() {
    long grace = properties.idleStreamGrace().toNanos();
    for (String space : hubs.keySet()) {
      hubs.computeIfPresent(space, (id, h) -> h.idleLongerThan(grace) ? null : h);
    }
  }

  /** Events published so far (for tests and metrics). */
  long published() {
    return published.get();
  }

  @Override
  public void start() {
    bus.addListener(this);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    bus.removeListener(this);
    fetcher.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
