package dev.spool.worker;

import dev.spool.system.PgNotifications;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Polls, and long polls that wait for work without holding a database connection or a request
 * thread (the answer is a {@link DeferredResult}).
 *
 * <p>A waiting poll is registered under its space before its first claim, so a job that becomes
 * pending while that claim runs still wakes it. It is woken by {@code spool_pending} notifications
 * for its space only (sent by triggers after commit, on every instance sharing the database), by a
 * periodic re-check that wakes spaces with an available job (a lost notification costs at most
 * {@code recheck}), and at the time the space's next scheduled job or retry falls due. Each wake is
 * one claim attempt on a small pool; wakes that arrive while a claim runs are folded into one more
 * attempt. Waiters of a space are woken oldest first.
 *
 * <p>On shutdown it stops claiming for new polls (they answer empty), answers every waiting poll
 * empty, and lets claims that already run finish — before the web server's graceful shutdown waits
 * for in-flight requests.
 */
@Component
class LongPolls implements PgNotifications.Listener, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LongPolls.class);

  private static final int WAITING = 0;
  private static final int CLAIMING = 1;
  private static final int CLAIMING_SIGNALLED = 2;
  private static final int DONE = 3;

  private final Claims claims;
  private final PgNotifications notifications;
  private final WorkerProperties properties;
  private final Map<String, Set<Waiter>> bySpace = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  // created on every start(): a stopped context (shutdown, or a paused test context) may start
  // again
  private volatile ScheduledExecutorService timer;
  private volatile ExecutorService claimers;
  private volatile boolean accepting = true;
  private volatile boolean running;
  private volatile ScheduledFuture<?> ticker;

  LongPolls(
      Claims claims,
      PgNotifications notifications,
      WorkerProperties properties,
      MeterRegistry registry) {
    this.claims = claims;
    this.notifications = notifications;
    this.properties = properties;
    Gauge.builder("spool.polls.waiting", this, LongPolls::waiting)
        .description("Long polls waiting for a job on this instance")
        .register(registry);
  }

  /** Claims for a poll now; when nothing is available and it may wait, answers later. */
  DeferredResult<Delivery.Batch> poll(String spaceId, PollRequest request) {
    long waitMillis = request.waitSeconds() * 1000L;
    DeferredResult<Delivery.Batch> result = new DeferredResult<>(waitMillis + 10_000L);
    if (!accepting) {
      result.setResult(Delivery.Batch.EMPTY);
      return result;
    }
    if (waitMillis == 0) {
      result.setResult(new Delivery.Batch(claims.claim(spaceId, request)));
      return result;
    }
    Waiter w = new Waiter(spaceId, request, result, System.nanoTime() + waitMillis * 1_000_000L);
    register(w);
    List<Delivery> jobs;
    try {
      jobs = claims.claim(spaceId, request);
    } catch (RuntimeException e) {
      w.finish(null);
      throw e;
    }
    if (!jobs.isEmpty()) {
      w.finish(jobs);
      return result;
    }
    result.onCompletion(() -> w.finish(null));
    result.onTimeout(() -> w.finish(List.of()));
    try {
      w.deadline = timer.schedule(w::expire, waitMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down since this poll arrived
      w.finish(List.of());
      return result;
    }
    w.afterEmptyClaim();
    return result;
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (PgNotifications.PENDING.equals(channel)) {
      wake(payload);
    }
  }

  @Override
  public void onReconnect() {
    bySpace.keySet().forEach(this::wake);
  }

  /** Gives every poll waiting on the space one more claim attempt, oldest first. */
  void wake(String spaceId) {
    Set<Waiter> waiters = bySpace.get(spaceId);
    if (waiters != null) {
      waiters.forEach(Waiter::signal);
    }
  }

  /** Polls waiting now, for tests and health. */
  int waiting() {
    return bySpace.values().stream().mapToInt(Set::size).sum();
  }

  /** Adds inside compute, so a concurrent unregister cannot drop the set it is being added to. */
  private void register(Waiter w) {
    bySpace.compute(
        w.spaceId,
        (s, set) -> {
          Set<Waiter> waiters =
              set != null ? set : new ConcurrentSkipListSet<>(Comparator.comparingLong(x -> x.seq));
          waiters.add(w);
          return waiters;
        });
  }

  private void unregister(Waiter w) {
    bySpace.computeIfPresent(
        w.spaceId,
        (s, set) -> {
          set.remove(w);
          return set.isEmpty() ? null : set;
        });
  }

  /**
   * The periodic re-check, the safety net for lost notifications: one query for all spaces with
   * waiting polls; a space with an available job gets a wake (one claim per waiting poll), a space
   * whose next job falls due before the re-check after next gets a wake planned at that time, and
   * idle spaces cost nothing more.
   */
  private void tick() {
    try {
      Set<String> spaces = Set.copyOf(bySpace.keySet());
      if (spaces.isEmpty()) {
        return;
      }
      long recheck = properties.recheck().toMillis();
      claims
          .outlook(spaces)
          .forEach(
              (space, outlook) -> {
                if (outlook.availableNow()) {
                  wake(space);
                } else if (outlook.nextDueMillis() != null
                    && outlook.nextDueMillis() < 2 * recheck) {
                  // two intervals: the next tick comes a little after one (fixed delay + this
                  // query)
                  timer.schedule(() -> wake(space), outlook.nextDueMillis(), TimeUnit.MILLISECONDS);
                }
              });
    } catch (RuntimeException e) {
      // without the outlook, wake everyone: a lost notification must still only cost latency
      bySpace.keySet().forEach(this::wake);
      log.warn("Long-poll re-check failed: {}", e.toString());
    }
  }

  @Override
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(daemon("spool-long-poll-timer"));
    claimers =
        Executors.newFixedThreadPool(properties.claimThreads(), daemon("spool-long-poll-claim"));
    accepting = true;
    notifications.addListener(this);
    long every = properties.recheck().toMillis();
    ticker = timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public void stop() {
    accepting = false;
    notifications.removeListener(this);
    ScheduledFuture<?> t = ticker;
    if (t != null) {
      t.cancel(false);
    }
    bySpace.values().forEach(set -> set.forEach(Waiter::expire));
    claimers.shutdown();
    try {
      if (!claimers.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("Long-poll claims still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stop before the web server's graceful shutdown (DEFAULT_PHASE - 1024) waits on requests. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 512;
  }

  /** One waiting poll: a small state machine so each wake is at most one claim at a time. */
  private final class Waiter {
    final String spaceId;
    final PollRequest request;
    final DeferredResult<Delivery.Batch> result;
    final long deadlineNanos;
    final long seq = sequence.incrementAndGet(); // oldest first when a space is woken
    final AtomicInteger state = new AtomicInteger(CLAIMING);
    volatile ScheduledFuture<?> deadline;

    Waiter(
        String spaceId,
        PollRequest request,
        DeferredResult<Delivery.Batch> result,
        long deadlineNanos) {
      this.spaceId = spaceId;
      this.request = request;
      this.result = result;
      this.deadlineNanos = deadlineNanos;
    }

    void signal() {
      while (true) {
        int s = state.get();
        if (s == WAITING) {
          if (state.compareAndSet(WAITING, CLAIMING)) {
            submitClaim();
            return;
          }
        } else if (s == CLAIMING) {
          if (state.compareAndSet(CLAIMING, CLAIMING_SIGNALLED)) {
            return;
          }
        } else {
          return;
        }
      }
    }

    private void submitClaim() {
      try {
        claimers.execute(this::claim);
      } catch (RejectedExecutionException e) {
        finish(List.of());
      }
    }

    private void claim() {
      List<Delivery> jobs;
      try {
        jobs = claims.claim(spaceId, request);
      } catch (RuntimeException e) {
        if (state.getAndSet(DONE) != DONE) {
          cleanUp();
          result.setErrorResult(e);
        }
        return;
      }
      if (!jobs.isEmpty()) {
        finish(jobs);
      } else {
        afterEmptyClaim();
      }
    }

    /** Back to waiting, unless a wake came during the claim (claim again) or time is up. */
    void afterEmptyClaim() {
      if (!accepting || System.nanoTime() - deadlineNanos >= 0) {
        finish(List.of());
        return;
      }
      if (state.compareAndSet(CLAIMING, WAITING)) {
        // the deadline or shutdown may have come between the check above and the CAS, while
        // expire() saw CLAIMING and left the answer to us
        if (!accepting || System.nanoTime() - deadlineNanos >= 0) {
          expire();
        }
        return;
      }
      if (state.compareAndSet(CLAIMING_SIGNALLED, CLAIMING)) {
        submitClaim();
      }
    }

    /**
     * Time is up (or shutdown): answer empty if waiting; a running claim checks the deadline and
     * {@code accepting} itself when it ends.
     */
    void expire() {
      if (state.compareAndSet(WAITING, DONE)) {
        cleanUp();
        result.setResult(Delivery.Batch.EMPTY);
      }
    }

    /** Answers with these jobs (null: the request is gone, answer nothing). */
    void finish(List<Delivery> jobs) {
      if (state.getAndSet(DONE) == DONE) {
        return;
      }
      cleanUp();
      if (jobs != null && !result.setResult(new Delivery.Batch(jobs)) && !jobs.isEmpty()) {
        log.info(
            "A poll went away before its {} claimed job(s) were answered; "
                + "they return to pending at their delivery timeout",
            jobs.size());
      }
    }

    private void cleanUp() {
      unregister(this);
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
