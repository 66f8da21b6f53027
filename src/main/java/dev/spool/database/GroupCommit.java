package dev.spool.database;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Group commit: writes that concurrent requests ask for are done together, in one transaction, one
 * commit and one WAL flush.
 *
 * <p>Why: every job write notifies listeners, and PostgreSQL serializes notifying commits on one
 * cluster-wide lock (see {@link DurableCommits}); a small write's cost is mostly per transaction
 * (round trips, statement-level triggers, commit, notification, flush), not per row. Writing the
 * rows of N requests in one transaction pays those costs once.
 *
 * <p>How: a caller that finds fewer than {@code inFlight} batches running becomes a leader: it
 * takes queued requests (oldest first, up to {@code maxWeight}, its own among them unless older
 * ones fill the batch), hands them to the {@link Writer} and wakes the others; those whose outcome
 * is set return, and one of the rest leads the next batch. An idle server writes a lone request at
 * once, without waiting, so combining adds no latency; under load a batch gathers whatever arrived
 * while the previous one was writing. Requests with equal {@code key}s never share a batch (a later
 * one waits for the next), so a writer can map its results back by key.
 *
 * @param <I> what a request asks to write
 * @param <O> what it gets back
 */
public final class GroupCommit<I, O> {

  /**
   * Writes one batch and sets the outcome of each of its entries, in one or two steps: {@code
   * write} runs while the batch holds one of the {@code inFlight} slots (the statements and the
   * commit); what it returns, when not null, runs after the slot is released and before any of the
   * batch's requests returns (waiting for the WAL flush), so the next batch's statements overlap
   * this one's disk wait. Entries' outcomes may be set in either step.
   */
  @FunctionalInterface
  public interface Writer<I, O> {
    Runnable write(List<Entry<I, O>> batch);
  }

  /** One request in a batch; its outcome is set once, by the writer. */
  public static final class Entry<I, O> {
    private final I input;
    private O output;
    private RuntimeException failure;
    private boolean set;
    private boolean done;

    Entry(I input) {
      this.input = input;
    }

    public I input() {
      return input;
    }

    public void succeed(O value) {
      if (!set) {
        set = true;
        output = value;
      }
    }

    public void fail(RuntimeException e) {
      if (!set) {
        set = true;
        failure = e;
      }
    }
  }

  private final int inFlight;
  private final int maxWeight;
  private final ToIntFunction<I> weight;
  private final Function<I, Object> key;
  private final Writer<I, O> writer;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition written = lock.newCondition();
  private final ArrayDeque<Entry<I, O>> queue = new ArrayDeque<>();
  private int writing;
  private long batches;
  private long requests;

  /**
   * @param inFlight batches written at once (two lets one batch's statements overlap another's
   *     commit and flush, which wait on I/O rather than on a CPU)
   * @param maxWeight the most a batch may carry (a lone heavier request still goes alone)
   * @param weight a request's share of {@code maxWeight}
   * @param key requests with equal keys go to different batches; null keys never conflict
   * @param writer writes a batch
   */
  public GroupCommit(
      int inFlight,
      int maxWeight,
      ToIntFunction<I> weight,
      Function<I, Object> key,
      Writer<I, O> writer) {
    if (inFlight < 1 || maxWeight < 1) {
      throw new IllegalArgumentException("inFlight and maxWeight must be positive");
    }
    this.inFlight = inFlight;
    this.maxWeight = maxWeight;
    this.weight = weight;
    this.key = key;
    this.writer = writer;
  }

  /** Writes the request (possibly with others) and returns its outcome, or throws its failure. */
  public O submit(I input) {
    Entry<I, O> mine = new Entry<>(input);
    lock.lock();
    try {
      queue.add(mine);
      while (!mine.done) {
        if (writing >= inFlight || queue.isEmpty()) {
          written.awaitUninterruptibly();
          continue;
        }
        writing++;
        List<Entry<I, O>> batch = take();
        batches++;
        requests += batch.size();
        lock.unlock();
        Runnable then = null;
        try {
          then = writer.write(batch);
        } catch (Throwable t) { // every waiter must hear, even of an Error
          failAll(batch, t);
        }
        lock.lock();
        writing--;
        written.signalAll(); // the next batch may start while this one finishes
        lock.unlock();
        try {
          if (then != null) {
            then.run();
          }
        } catch (Throwable t) {
          failAll(batch, t);
        }
        lock.lock();
        for (Entry<I, O> entry : batch) {
          entry.fail(new IllegalStateException("batch ended without an outcome"));
          entry.done = true;
        }
        written.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.output;
  }

  /**
   * Registers counters of batches written and of the requests they carried, tagged {@code writes}:
   * their ratio is the mean batch size, how much combining is saving.
   */
  public GroupCommit<I, O> measured(MeterRegistry registry, String writes) {
    FunctionCounter.builder("spool.group.commit.batches", this, g -> g.count(false))
        .description("Batches of grouped writes (transactions)")
        .tag("writes", writes)
        .register(registry);
    FunctionCounter.builder("spool.group.commit.requests", this, g -> g.count(true))
        .description("Requests whose writes went into a grouped batch")
        .tag("writes", writes)
        .register(registry);
    return this;
  }

  private double count(boolean ofRequests) {
    lock.lock();
    try {
      return ofRequests ? requests : batches;
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting for a batch. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private static <I, O> void failAll(List<Entry<I, O>> batch, Throwable t) {
    RuntimeException e =
        t instanceof RuntimeException r ? r : new IllegalStateException("batch write failed", t);
    batch.forEach(entry -> entry.fail(e));
  }

  /** Queued requests, oldest first, up to {@code maxWeight} (at least one), keys distinct. */
  private List<Entry<I, O>> take() {
    List<Entry<I, O>> batch = new ArrayList<>();
    Set<Object> keys = new HashSet<>();
    int total = 0;
    for (Iterator<Entry<I, O>> it = queue.iterator(); it.hasNext(); ) {
      Entry<I, O> entry = it.next();
      int w = weight.applyAsInt(entry.input);
      if (!batch.isEmpty() && total + w > maxWeight) {
        break;
      }
      Object k = key.apply(entry.input);
      if (k != null && !keys.add(k)) {
        continue;
      }
      it.remove();
      batch.add(entry);
      total += w;
    }
    return batch;
  }
}
