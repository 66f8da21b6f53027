package dev.spool.realtime;

import dev.spool.common.BackgroundLoop;
import dev.spool.database.PgNotifications;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Brings every committed job event to this instance's subscribers. The bus ({@link
 * PgNotifications}) says "transaction T committed events in spaces A, B"; if this instance has a
 * stream open on one of them, T is queued, and one feed thread fetches queued transactions —
 * several per round trip when they pile up — and publishes them in the order they committed.
 * Nothing runs on the bus thread; spaces nobody watches cost nothing but the notification.
 *
 * <p>A gap — the bus reconnected, a fetch failed, a turn failed, or the queue overflowed — restarts
 * the affected spaces' stream instances (see {@link SpaceHub#restart()}).
 *
 * <p>The feed thread is a {@link BackgroundLoop} ({@code realtime-feed}, see RealtimeConfig)
 * calling {@link #runOnce()}: it never dies, and its health shows next to the other loops'.
 */
@Component
class RealtimeFeed implements PgNotifications.Listener, BackgroundLoop.Work {

  private static final Logger log = LoggerFactory.getLogger(RealtimeFeed.class);
  private static final int RECENT_TX = 1024;
  static final int FETCH_BATCH = 200;

  /** A committed transaction to fetch; {@code spaces} null means any watched space. */
  private record Tx(long id, Set<String> spaces) {}

  private final PgNotifications bus;
  private final FeedQueries queries;
  private final Frames frames;
  private final RealtimeProperties properties;
  private final Map<String, SpaceHub> hubs = new ConcurrentHashMap<>();

  /** The spaces already fetched for recent transactions. */
  private final Map<Long, Set<String>> fetched =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Set<String>> eldest) {
          return size() > RECENT_TX;
        }
      };

  private final BlockingQueue<Object> queue;
  private final AtomicBoolean overflowed = new AtomicBoolean();
  private final AtomicLong published = new AtomicLong();
  private boolean startedBefore;

  RealtimeFeed(
      PgNotifications bus, FeedQueries queries, Frames frames, RealtimeProperties properties) {
    this.bus = bus;
    this.queries = queries;
    this.frames = frames;
    this.properties = properties;
    this.queue = new ArrayBlockingQueue<>(properties.fetchQueue());
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (!PgNotifications.EVENTS.equals(channel) || hubs.isEmpty()) {
      return;
    }
    int colon = payload.indexOf(':');
    long tx;
    try {
      tx = Long.parseLong(colon < 0 ? payload : payload.substring(0, colon));
    } catch (NumberFormatException e) {
      log.warn("Ignoring malformed {} payload", PgNotifications.EVENTS);
      return;
    }
    Set<String> spaces = null; // any space: payload "T:*", or V1's bare "T"
    if (colon >= 0 && !payload.endsWith(":*")) {
      spaces = new HashSet<>(List.of(payload.substring(colon + 1).split(",")));
      spaces.retainAll(hubs.keySet());
      if (spaces.isEmpty()) {
        return;
      }
    }
    enqueue(new Tx(tx, spaces));
  }

  @Override
  public void onReconnect() {
    log.warn("Realtime streams restart: the notification bus reconnected");
    // queued behind what arrived before the drop, so it lands between two transactions
    enqueue((Runnable) this::restartAll);
  }

  private void enqueue(Object item) {
    if (!queue.offer(item) && overflowed.compareAndSet(false, true)) {
      log.warn("Realtime streams restart: the fetch queue is full");
      queue.clear();
      queue.offer((Runnable) this::restartAll);
    }
  }

  /**
   * One turn of the feed thread: waits up to a second for the next queued item, then runs it (a
   * task) or fetches it together with the transactions queued right behind it. Always true: the
   * wait is the pause between turns. A turn that throws anything but a read failure (which {@link
   * #fetch} turns into restarts itself) may have published part of a batch, so every stream starts
   * over; the loop logs the failure, backs off and goes on.
   */
  @Override
  public boolean runOnce() throws InterruptedException {
    Object item = queue.poll(1, TimeUnit.SECONDS);
    if (item == null) {
      return true;
    }
    try {
      if (item instanceof Runnable task) {
        overflowed.set(false);
        task.run();
        return true;
      }
      List<Tx> batch = new ArrayList<>();
      batch.add((Tx) item);
      // take the transactions queued right behind it, up to the next task
      while (batch.size() < FETCH_BATCH && queue.peek() instanceof Tx) {
        batch.add((Tx) queue.poll());
      }
      fetch(batch);
      return true;
    } catch (Throwable e) {
      enqueue((Runnable) this::restartAll);
      throw e;
    }
  }

  /** Fetches committed transactions' events for the spaces watched here and publishes them. */
  private void fetch(List<Tx> batch) {
    Map<Long, List<SpaceHub>> targets = new LinkedHashMap<>(); // commit order
    Set<SpaceHub> involved = new LinkedHashSet<>();
    for (Tx tx : batch) {
      // a transaction whose statements touched different spaces notifies once per set: fetch
      // each (transaction, space) once
      Set<String> done = fetched.computeIfAbsent(tx.id(), t -> new HashSet<>());
      List<SpaceHub> hubsOfTx = targets.computeIfAbsent(tx.id(), t -> new ArrayList<>());
      for (SpaceHub hub :
          tx.spaces() == null ? hubs.values() : tx.spaces().stream().map(hubs::get).toList()) {
        if (hub != null && hub.isReady() && done.add(hub.spaceId)) {
          hubsOfTx.add(hub);
          involved.add(hub);
        }
      }
    }
    targets.values().removeIf(List::isEmpty);
    if (targets.isEmpty()) {
      return;
    }
    FeedQueries.Fetched got;
    try {
      got = queries.eventsOf(targets.keySet(), involved.stream().map(h -> h.spaceId).toList());
    } catch (RuntimeException e) {
      // the events are committed but could not be read: a gap for these spaces
      log.warn("Fetching events of {} transactions failed: {}", targets.size(), e.toString());
      involved.forEach(this::restart);
      return;
    }
    targets.forEach(
        (tx, hubsOfTx) -> {
          FeedQueries.TxEvents ofTx = got.of(tx);
          for (SpaceHub hub : hubsOfTx) {
            List<StoredEvent> mine =
                ofTx.events().stream().filter(e -> e.spaceId().equals(hub.spaceId)).toList();
            if (mine.isEmpty()) {
              continue;
            }
            if (!ofTx.deltasComplete()) {
              // the roll-up may have folded this transaction's deltas: read the counts again;
              // the new snapshot sees this transaction, so its deltas are not applied twice
              snapshot(hub, false);
            }
            hub.publish(tx, mine, ofTx.deltas().get(hub.spaceId));
            published.addAndGet(mine.size());
          }
        });
  }

  private void restartAll() {
    hubs.values().forEach(this::restart);
  }

  private void restart(SpaceHub hub) {
    hub.restart();
    snapshot(hub, true);
  }

  /**
   * Reads the space's counts (on the feed thread, between two transactions) and marks the hub
   * ready; with {@code start}, a (new) stream instance begins at that read.
   */
  private void snapshot(SpaceHub hub, boolean start) {
    try {
      FeedQueries.CountsSnapshot s = queries.countsOf(hub.spaceId);
      hub.snapshot(s.snapshot(), s.counts(), start);
    } catch (RuntimeException e) {
      log.warn("Reading counts of space {} failed: {}", hub.spaceId, e.toString());
      hub.snapshotFailed(e);
    }
  }

  /**
   * The hub of a space, ready to take subscribers; the caller must {@link #release} it. A new hub
   * is registered before its counts are read, so no transaction committed after that read can slip
   * by unfetched.
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
      enqueue((Runnable) () -> snapshot(hub, true));
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

  /** Drops closed subscribers, and the hubs nobody used for longer than the grace period. */
  void sweep() {
    long grace = properties.idleStreamGrace().toNanos();
    hubs.values().forEach(SpaceHub::purgeClosed);
    for (String space : hubs.keySet()) {
      hubs.computeIfPresent(space, (id, h) -> h.idleLongerThan(grace) ? null : h);
    }
  }

  /** Transactions waiting to be fetched. */
  int queued() {
    return queue.size();
  }

  /** Events published so far (for tests and metrics). */
  long published() {
    return published.get();
  }

  @Override
  public void started() {
    bus.addListener(this);
    if (startedBefore) {
      // stopped and started again (a paused context): notifications were not listened to
      log.warn("Realtime streams restart: the feed was stopped");
      enqueue((Runnable) this::restartAll);
    }
    startedBefore = true;
  }

  @Override
  public void stopped() {
    bus.removeListener(this);
  }
}
