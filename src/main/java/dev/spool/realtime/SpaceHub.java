package dev.spool.realtime;

import dev.spool.common.Ids;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.socket.CloseStatus;

/**
 * Everything this instance streams for one space: the current stream instance (its id, its last
 * {@code seq}, a bounded replay buffer of its frames), per-status counts kept up to date from the
 * events' own count deltas, and the subscribers. Only the feed thread publishes; subscribers are
 * added from connection threads; every method holds the hub's lock, so a subscriber is added
 * exactly between two published transactions and sees no event twice and none missing.
 */
final class SpaceHub {

  static final CloseStatus RESTARTED =
      CloseStatus.SERVICE_RESTARTED.withReason("Event stream interrupted; reconnect");

  /**
   * A job stream subscriber; {@code waiting} holds its frames until its init has been sent, and
   * {@code shownByInit} is the snapshot that init was read under.
   */
  static final class JobSubscriber {
    final String jobId;
    final boolean fullView;
    final Outbox out;
    List<StoredEvent> waiting = new ArrayList<>();
    TxSnapshot shownByInit;

    JobSubscriber(String jobId, boolean fullView, Outbox out) {
      this.jobId = jobId;
      this.fullView = fullView;
      this.out = out;
    }
  }

  /**
   * A published event kept for replay. Its space frame is made only when someone needs it: a space
   * with only job streams never serializes space frames.
   */
  private static final class Replay {
    final long seq;
    final StoredEvent event;
    final Map<String, Long> counts;
    String frame;

    Replay(long seq, StoredEvent event, Map<String, Long> counts) {
      this.seq = seq;
      this.event = event;
      this.counts = counts;
    }

    long size() {
      return 200 + (event.data() == null ? 0 : event.data().length());
    }
  }

  final String spaceId;
  private final Frames frames;
  private final int replayFrames;
  private final long replayBytes;

  private String instance;
  private long seq;

  /** Under which snapshot this stream instance started: earlier transactions are not part of it. */
  private TxSnapshot origin;

  /** Under which snapshot {@link #counts} were last read. */
  private TxSnapshot base;

  private Map<String, Long> counts;
  private final ArrayDeque<Replay> replay = new ArrayDeque<>();
  private long replayedBytes;
  private final List<Outbox> spaceSubscribers = new ArrayList<>();
  private final Map<String, List<JobSubscriber>> jobSubscribers = new HashMap<>();
  private CompletableFuture<Void> ready = new CompletableFuture<>();
  private final AtomicInteger holders = new AtomicInteger();
  private volatile long idleSinceNanos = System.nanoTime();

  SpaceHub(String spaceId, Frames frames, RealtimeProperties properties) {
    this.spaceId = spaceId;
    this.frames = frames;
    this.replayFrames = properties.replayFrames();
    this.replayBytes = properties.replaySize().toBytes();
    this.instance = Ids.next();
  }

  synchronized boolean isReady() {
    return base != null;
  }

  /**
   * Takes counts read under {@code snapshot}; with {@code start}, the stream instance starts there
   * too (transactions that snapshot already sees are not streamed).
   */
  synchronized void snapshot(TxSnapshot snapshot, Map<String, Long> current, boolean start) {
    if (start || origin == null) {
      origin = snapshot;
    }
    base = snapshot;
    counts = new LinkedHashMap<>(current);
    ready.complete(null);
  }

  synchronized void snapshotFailed(Exception e) {
    ready.completeExceptionally(e);
  }

  /** Completes when the hub can take subscribers. */
  synchronized CompletableFuture<Void> readiness() {
    return ready;
  }

  /** True (once) when an earlier counts read failed and a new one must be asked for. */
  synchronized boolean retrySnapshot() {
    if (ready.isCompletedExceptionally()) {
      ready = new CompletableFuture<>();
      return true;
    }
    return false;
  }

  /**
   * Publishes one committed transaction's events of this space. Its count deltas are applied unless
   * the counts were read after it committed (their snapshot sees it).
   */
  synchronized void publish(long tx, List<StoredEvent> events, Map<String, Long> deltas) {
    if (base == null || events.isEmpty() || origin.sees(tx)) {
      return; // not ready, or committed before this stream instance started
    }
    boolean changed = false;
    if (deltas != null && !deltas.isEmpty() && !base.sees(tx)) {
      deltas.forEach((status, d) -> counts.merge(status, d, Long::sum));
      changed = true;
    }
    for (int i = 0; i < events.size(); i++) {
      StoredEvent e = events.get(i);
      // a transaction's net count change rides on its last event
      boolean last = i == events.size() - 1;
      Replay kept = remember(new Replay(++seq, e, changed && last ? Map.copyOf(counts) : null));
      if (!spaceSubscribers.isEmpty()) {
        String frame = frameOf(kept);
        spaceSubscribers.removeIf(out -> !out.offer(frame) && out.isClosed());
      }
      List<JobSubscriber> followers = jobSubscribers.get(e.jobId());
      if (followers != null) {
        followers.removeIf(s -> !deliver(s, e));
        if (followers.isEmpty()) {
          jobSubscribers.remove(e.jobId());
        }
      }
    }
  }

  /** Sends one event to a job subscriber; false when the subscription ended. */
  private boolean deliver(JobSubscriber s, StoredEvent e) {
    if (s.out.isClosed()) {
      return false;
    }
    if (s.waiting != null) {
      s.waiting.add(e);
      return true;
    }
    if (s.shownByInit.sees(e.tx())) {
      // committed before init's read but fetched only now (the feed lags behind the connection
      // threads): init already showed it
      return true;
    }
    String frame = s.fullView ? frames.full(e) : frames.progressOnly(e);
    if (frame != null && !s.out.offer(frame)) {
      return false;
    }
    if (e.isTerminal()) {
      s.out.closeAfterDrain(CloseStatus.NORMAL);
      return false;
    }
    return true;
  }

  private Replay remember(Replay r) {
    replay.addLast(r);
    replayedBytes += r.size();
    while (replay.size() > replayFrames || (replayedBytes > replayBytes && replay.size() > 1)) {
      replayedBytes -= replay.removeFirst().size();
    }
    return r;
  }

  private String frameOf(Replay r) {
    if (r.frame == null) {
      r.frame = frames.space(r.event, r.seq, r.counts);
    }
    return r.frame;
  }

  /**
   * Adds a space stream subscriber and sends its {@code connected} frame, followed by the frames it
   * missed when {@code since} can be continued in this stream instance.
   */
  synchronized void addSpaceSubscriber(Outbox out, Long since, String sinceInstance, String now) {
    boolean continues = since != null && instance.equals(sinceInstance) && canReplayFrom(since);
    boolean missed = since != null && !continues;
    long from = continues ? since : seq;
    out.offer(frames.connected(spaceId, from, instance, missed, Map.copyOf(counts), now));
    if (continues) {
      for (Replay r : replay) {
        if (r.seq > since) {
          out.offer(frameOf(r));
        }
      }
    }
    spaceSubscribers.add(out);
  }

  private boolean canReplayFrom(long since) {
    if (since > seq || since < 0) {
      return false;
    }
    long oldestKept = replay.isEmpty() ? seq + 1 : replay.peekFirst().seq;
    return since >= oldestKept - 1;
  }

  /** Adds a job subscriber; its events wait until {@link #startJob} sent its init. */
  synchronized void addJobSubscriber(JobSubscriber s) {
    jobSubscribers.computeIfAbsent(s.jobId, j -> new ArrayList<>()).add(s);
  }

  /**
   * Sends the init frame, then the events that arrived meanwhile. Events that are already part of
   * the state init showed (committed before {@code seenBy}) are never sent: neither those waiting
   * here nor those the feed publishes later — the feed may fetch a transaction after the connection
   * thread read the job's state. A terminal job closes at once.
   */
  synchronized void startJob(
      JobSubscriber s, String initFrame, boolean terminal, TxSnapshot seenBy) {
    List<StoredEvent> waiting = s.waiting;
    s.waiting = null;
    s.shownByInit = seenBy;
    if (!s.out.offer(initFrame)) {
      return;
    }
    if (terminal) {
      s.out.closeAfterDrain(CloseStatus.NORMAL);
      return;
    }
    for (StoredEvent e : waiting) {
      if (!deliver(s, e)) {
        return;
      }
    }
  }

  /**
   * Forgets subscribers whose connection closed. Connection threads never take the hub's lock when
   * closing (the container holds its own session lock then): closed subscribers are dropped here,
   * by the housekeeping timer, and on their next event.
   */
  synchronized void purgeClosed() {
    spaceSubscribers.removeIf(Outbox::isClosed);
    jobSubscribers.values().forEach(list -> list.removeIf(s -> s.out.isClosed()));
    jobSubscribers.values().removeIf(List::isEmpty);
  }

  /**
   * A gap: events may have been lost (the bus reconnected, or the feed fell too far behind). Starts
   * a new stream instance that is not ready until counts are read again, and closes every
   * subscriber with 1012 so it reconnects: a space stream then gets {@code missed: true}, a job
   * stream a fresh init. Silence is never presented as completeness.
   */
  synchronized void restart() {
    instance = Ids.next();
    seq = 0;
    base = null;
    origin = null;
    if (ready.isDone()) {
      ready = new CompletableFuture<>();
    }
    replay.clear();
    replayedBytes = 0;
    spaceSubscribers.forEach(out -> out.close(RESTARTED));
    spaceSubscribers.clear();
    jobSubscribers.values().forEach(list -> list.forEach(s -> s.out.close(RESTARTED)));
    jobSubscribers.clear();
  }

  /** Another connection will use this hub. */
  void hold() {
    holders.incrementAndGet();
  }

  void release() {
    if (holders.decrementAndGet() == 0) {
      idleSinceNanos = System.nanoTime();
    }
  }

  boolean idleLongerThan(long nanos) {
    return holders.get() == 0 && System.nanoTime() - idleSinceNanos > nanos;
  }

  synchronized String instance() {
    return instance;
  }
}
