package dev.spool.realtime;

import dev.spool.common.BackgroundLoop;
import dev.spool.database.PgNotifications;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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

  /** The pause between two fetches of held transactions (see {@link #fetch}). */
  static final long HOLD_PAUSE_MS = 5;

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

  /**
   * (transaction, spaces) whose notified events were not readable yet, in commit order, and when
   * each transaction was first held; both touched by the feed thread only.
   */
  private final Map<Long, Set<String>> held = new LinkedHashMap<>();

  private final Map<Long, Long> waitingSince = new HashMap<>();
  private final Duration visibilityWait;

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
    this.visibilityWait = properties.visibilityWait();
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (!PgNotifications.EVENTS.equals(channel) || hubs.isEmpty()) {
      return;
    }
    long tx = PgNotifications.eventsTxid(payload);
    if (tx < 0) {
      log.warn("Ignoring malformed {} payload", PgNotifications.EVENTS);
      return;
    }
    List<String> named = PgNotifications.eventsSpaces(payload);
    Set<String> spaces = null; // any space: payload "T:*", or the bare "T" of an older Spool
    if (named != null) {
      spaces = new HashSet<>(named);
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
   * One turn of the feed thread: waits up to a second for the next queued item — or a few
   * milliseconds while transactions are held (see {@link #fetch}) — then runs it (a task) or
   * fetches it together with the held transactions and those queued right behind it. Always true:
   * the wait is the pause between turns. A turn that throws anything but a read failure (which
   * {@link #fetch} turns into restarts itself) may have published part of a batch, so every stream
   * starts over; the loop logs the failure, backs off and goes on.
   */
  @Override
  public boolean runOnce() throws InterruptedException {
    Object item = queue.poll(held.isEmpty() ? 1000 : HOLD_PAUSE_MS, TimeUnit.MILLISECONDS);
    if (item == null && held.isEmpty()) {
      return true;
    }
    try {
      if (item instanceof Runnable task) {
        overflowed.set(false);
        task.run();
        return true;
      }
      // held transactions first: they committed before anything still queued
      List<Tx> batch = new ArrayList<>();
      held.forEach((tx, spaces) -> batch.add(new Tx(tx, spaces)));
      held.clear();
      if (item != null) {
        batch.add((Tx) item);
      }
      // take the transactions queued right behind it, up to the next task
      int limit = batch.size() + FETCH_BATCH;
      while (batch.size() < limit && queue.peek() instanceof Tx) {
        batch.add((Tx) queue.poll());
      }
      fetch(batch);
      return true;
    } catch (Throwable e) {
      enqueue((Runnable) this::restartAll);
      throw e;
    }
  }

  /**
   * Fetches committed transactions' events for the spaces watched here and publishes them, in
   * commit order per space.
   *
   * <p>A notification names the spaces its transaction wrote events in, so a named space whose
   * events the fetch does not find has them still on the way: on Citus a transaction that wrote
   * through more than one worker commits there with two-phase commit, and its {@code COMMIT
   * PREPARED} reaches the workers just after the coordinator's commit has sent the notification.
   * Such a (transaction, space) is held, together with every later transaction of that space, and
   * fetched again a few milliseconds later; other spaces go on. After {@code
   * spool.realtime.visibility-wait} it is given up (the rows were deleted in the meantime, or the
   * two-phase commit was left to Citus's recovery) with a warning, and the space's stream restarts:
   * a gap is announced, never hidden.
   */
  private void fetch(List<Tx> batch) {
    Map<Long, Set<SpaceHub>> targets = new LinkedHashMap<>(); // commit order
    // the spaces each transaction's notifications named (a "*" names none)
    Map<Long, Set<String>> named = new HashMap<>();
    Set<SpaceHub> involved = new LinkedHashSet<>();
    for (Tx tx : batch) {
      // a transaction whose statements touched different spaces notifies once per set: fetch
      // each (transaction, space) once
      Set<String> done = fetched.computeIfAbsent(tx.id(), t -> new HashSet<>());
      Set<SpaceHub> hubsOfTx = targets.computeIfAbsent(tx.id(), t -> new LinkedHashSet<>());
      if (tx.spaces() != null) {
        named.computeIfAbsent(tx.id(), t -> new HashSet<>()).addAll(tx.spaces());
      }
      for (SpaceHub hub :
          tx.spaces() == null ? hubs.values() : tx.spaces().stream().map(hubs::get).toList()) {
        if (hub != null && hub.isReady() && !done.contains(hub.spaceId)) {
          hubsOfTx.add(hub);
          involved.add(hub);
        }
      }
    }
    targets.values().removeIf(Set::isEmpty);
    if (targets.isEmpty()) {
      waitingSince.keySet().retainAll(held.keySet());
      return;
    }
    FeedQueries.Fetched got;
    try {
      got = queries.eventsOf(targets.keySet(), involved.stream().map(h -> h.spaceId).toList());
    } catch (RuntimeException e) {
      // the events are committed but could not be read: a gap for these spaces
      log.warn("Fetching events of {} transactions failed: {}", targets.size(), e.toString());
      waitingSince.clear();
      involved.forEach(this::restart);
      return;
    }
    long now = System.nanoTime();
    Set<SpaceHub> stalled = new HashSet<>();
    targets.forEach(
        (tx, hubsOfTx) -> {
          FeedQueries.TxEvents ofTx = got.of(tx);
          Set<String> done = fetched.computeIfAbsent(tx, t -> new HashSet<>());
          for (SpaceHub hub : hubsOfTx) {
            if (stalled.contains(hub)) {
              hold(tx, hub, now);
              continue;
            }
            List<StoredEvent> mine =
                ofTx.events().stream().filter(e -> e.spaceId().equals(hub.spaceId)).toList();
            if (mine.isEmpty() && named.getOrDefault(tx, Set.of()).contains(hub.spaceId)) {
              if (!waitedTooLong(tx, now)) {
                stalled.add(hub);
                hold(tx, hub, now);
                continue;
              }
              log.warn(
                  "Realtime stream of space {} restarts: the events of transaction {} were not"
                      + " readable within {}",
                  hub.spaceId,
                  tx,
                  visibilityWait);
              done.add(hub.spaceId);
              restart(hub);
              continue;
            }
            done.add(hub.spaceId);
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
    waitingSince.keySet().retainAll(held.keySet());
  }

  /** Keeps (tx, hub) for the next turn; the wait of tx counts from the first time it was held. */
  private void hold(long tx, SpaceHub hub, long now) {
    held.computeIfAbsent(tx, t -> new HashSet<>()).add(hub.spaceId);
    waitingSince.putIfAbsent(tx, now);
  }

  private boolean waitedTooLong(long tx, long now) {
    Long since = waitingSince.get(tx);
    return since != null && now - since >= visibilityWait.toNanos();
  }

  private void restartAll() {
    restartAll(hubs.values());
  }

  private void restartAll(Collection<SpaceHub> which) {
    held.clear();
    waitingSince.clear();
    which.forEach(this::restart);
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
      // stopped and started again (a paused context): notifications were not listened to. Only
      // the hubs that lived through the stop restart: one opened from now on takes its snapshot
      // while the feed listens again, and restarting it would close a stream that missed nothing
      log.warn("Realtime streams restart: the feed was stopped");
      List<SpaceHub> stale = List.copyOf(hubs.values());
      enqueue((Runnable) () -> restartAll(stale));
    }
    startedBefore = true;
  }

  @Override
  public void stopped() {
    bus.removeListener(this);
  }
}
