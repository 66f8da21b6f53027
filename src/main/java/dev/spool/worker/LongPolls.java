package dev.spool.worker;

import dev.spool.database.PgNotifications;
import dev.spool.web.ApiException;
import dev.spool.web.ErrorBody;
import dev.spool.worker.WaitingPolls.Handout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Polls, and long polls that wait for work without holding a database connection or a request
 * thread (the answer is a {@link DeferredResult}).
 *
 * <p>A long poll first claims for itself on its request thread. Finding nothing, it waits in a
 * group of the polls with the same {@link ClaimFilter} (space and name filter), oldest first. It is
 * registered before that first claim, so a wake during the claim is not missed (the group claims
 * once more). When polls of its group already wait and no claim runs for them, nothing is available
 * to it either, and it joins them without that first claim: idle workers that poll again after
 * their wait cost no claim statement each.
 *
 * <p><b>A wake costs one claim per group, not one per waiting poll.</b> The design chosen of the
 * two the engine issue offers: a woken group runs <em>one</em> claim statement for the sum of its
 * waiting polls' {@code count}s (at most {@value #MAX_GROUP_CLAIM}) and hands the jobs out oldest
 * poll first, each up to its {@code count}. Waking polls one by one until a claim comes back empty
 * would cost one more (empty) claim per wake and serialise a burst of N jobs into N round trips;
 * the shared claim takes a burst in one statement, and an idle poll costs nothing. A job handed to
 * a poll whose request has ended goes to the next waiting poll (only when none waits does it wait
 * for its delivery timeout). Wakes that arrive while a group's claim runs fold into one more claim.
 *
 * <p>Wakes come from {@code spool_pending} notifications for the space (sent after commit, on every
 * instance sharing the database; each instance claims for its own polls), from a periodic re-check
 * that wakes only the groups whose own filter has an available job (so a lost notification costs at
 * most {@code recheck}, and polls for one name do not claim every second while other names wait),
 * and at the time the group's next scheduled job or retry falls due.
 *
 * <p>One API key may have at most {@code max-per-key} long polls waiting on an instance; one more
 * answers 429 with {@code Retry-After}, so a runaway fleet backs off instead of spinning.
 *
 * <p>On shutdown it stops claiming for new polls (they answer empty), answers every waiting poll
 * empty, and lets claims that already run finish — before the web server's graceful shutdown waits
 * for in-flight requests.
 */
@Component
class LongPolls implements PgNotifications.Listener, SmartLifecycle {

  /** Most jobs one group claim asks for: twenty polls of the largest {@code count}. */
  static final int MAX_GROUP_CLAIM = 1000;

  private static final Logger log = LoggerFactory.getLogger(LongPolls.class);

  private final Claims claims;
  private final WaitOutlook outlook;
  private final PgNotifications notifications;
  private final WorkerProperties properties;
  private final WaitingPolls waiting = new WaitingPolls(this::left);
  private final Map<String, Integer> perKey = new ConcurrentHashMap<>();
  private final Counter pollClaims;
  private final Counter wakeClaims;
  private final Counter refused;
  private final Counter skippedClaims;
  // created on every start(): a stopped context (shutdown, or a paused test context) may start
  // again
  private volatile ScheduledExecutorService timer;
  private volatile ExecutorService claimers;
  private volatile boolean accepting = true;
  private volatile boolean running;
  private volatile ScheduledFuture<?> ticker;

  LongPolls(
      Claims claims,
      WaitOutlook outlook,
      PgNotifications notifications,
      WorkerProperties properties,
      MeterRegistry registry) {
    this.claims = claims;
    this.outlook = outlook;
    this.notifications = notifications;
    this.properties = properties;
    Gauge.builder("spool.polls.waiting", this, LongPolls::waiting)
        .description("Long polls waiting for a job on this instance")
        .register(registry);
    pollClaims = claimCounter(registry, "poll", "a poll's own claim");
    wakeClaims = claimCounter(registry, "wake", "claims for woken groups of waiting polls");
    skippedClaims =
        Counter.builder("spool.polls.claims.skipped")
            .description(
                "Long polls that joined waiting polls of their filter without a claim of their own")
            .register(registry);
    refused =
        Counter.builder("spool.polls.refused")
            .description("Long polls refused with 429: too many waiting for one API key")
            .register(registry);
  }

  private static Counter claimCounter(MeterRegistry registry, String trigger, String what) {
    return Counter.builder("spool.polls.claims")
        .tag("trigger", trigger)
        .description("Claim statements run for polls (trigger=" + trigger + ": " + what + ")")
        .register(registry);
  }

  /** Claims for a poll now; when nothing is available and it may wait, answers later. */
  DeferredResult<Delivery.Batch> poll(String keyId, String spaceId, PollRequest request) {
    long waitMillis = request.waitSeconds() * 1000L;
    DeferredResult<Delivery.Batch> result = new DeferredResult<>(waitMillis + 10_000L);
    ClaimFilter filter = ClaimFilter.of(spaceId, request);
    if (!accepting) {
      result.setResult(Delivery.Batch.EMPTY);
      return result;
    }
    if (waitMillis == 0) {
      result.setResult(new Delivery.Batch(claim(filter, request.count(), pollClaims)));
      return result;
    }
    if (perKey.merge(keyId, 1, Integer::sum) > properties.maxPerKey()) {
      release(keyId);
      refused.increment();
      result.setErrorResult(tooManyPolls());
      return result;
    }
    WaitingPoll w = new WaitingPoll(filter, request.count(), keyId, result);
    boolean othersWait = waiting.register(w);
    List<Delivery> jobs = List.of();
    if (othersWait) {
      skippedClaims.increment();
    } else {
      try {
        jobs = claim(filter, request.count(), pollClaims);
      } catch (RuntimeException e) {
        waiting.ownClaimAnswered(w);
        throw e;
      }
    }
    if (!jobs.isEmpty()) {
      waiting.ownClaimAnswered(w);
      result.setResult(new Delivery.Batch(jobs));
      return result;
    }
    result.onCompletion(() -> waiting.gone(w));
    result.onError(e -> waiting.gone(w));
    result.onTimeout(
        () -> {
          waiting.gone(w);
          result.setResult(Delivery.Batch.EMPTY);
        });
    try {
      w.deadline = timer.schedule(() -> expire(w), waitMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      waiting.expire(w); // shutting down since this poll arrived: answer empty below
    }
    Handout h = waiting.ownClaimEmpty(w, accepting);
    WaitingPolls.send(h.answers(), null);
    if (h.claimAgain()) {
      submit(filter);
    }
    return result;
  }

  private ResponseEntity<ErrorBody> tooManyPolls() {
    ApiException e =
        new ApiException(
            HttpStatus.TOO_MANY_REQUESTS,
            "too_many_polls",
            "Too many long polls waiting for this API key (max " + properties.maxPerKey() + ")");
    return ResponseEntity.status(e.status())
        .header(HttpHeaders.RETRY_AFTER, "1")
        .body(ErrorBody.of(e));
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (PgNotifications.PENDING.equals(channel)) {
      wake(payload);
    }
  }

  @Override
  public void onReconnect() {
    wakeAll();
  }

  /** Gives every group waiting on the space one claim (folded into one more if one runs). */
  void wake(String spaceId) {
    waiting.wake(spaceId).forEach(this::submit);
  }

  /** Polls waiting now, for tests and health. */
  int waiting() {
    return waiting.size();
  }

  /** Polls waiting now in one space, for tests (other tests' polls come and go meanwhile). */
  int waitingIn(String spaceId) {
    return waiting.sizeIn(spaceId);
  }

  private void wakeAll() {
    waiting.spaceIds().forEach(this::wake);
  }

  private void signal(ClaimFilter filter) {
    if (waiting.signal(filter)) {
      submit(filter);
    }
  }

  private void submit(ClaimFilter filter) {
    try {
      claimers.execute(() -> claimForGroup(filter));
    } catch (RejectedExecutionException e) {
      // stopping: end the claim without running it, answering its polls empty
      if (waiting.beginClaim(filter, MAX_GROUP_CLAIM) > 0) {
        waiting.settle(filter, List.of(), 1, null, false);
      }
    }
  }

  /** One claim statement for the group's waiting polls, then the jobs handed out oldest first. */
  private void claimForGroup(ClaimFilter filter) {
    int total = waiting.beginClaim(filter, MAX_GROUP_CLAIM);
    if (total == 0) {
      return;
    }
    List<Delivery> jobs = List.of();
    RuntimeException error = null;
    if (accepting) {
      try {
        jobs = claim(filter, total, wakeClaims);
      } catch (RuntimeException e) {
        error = e;
      }
    }
    if (waiting.settle(filter, jobs, total, error, accepting)) {
      submit(filter);
    }
  }

  private List<Delivery> claim(ClaimFilter filter, int count, Counter counter) {
    counter.increment();
    return claims.claim(filter.spaceId(), filter.names(), count, filter.ack());
  }

  private void expire(WaitingPoll w) {
    if (waiting.expire(w)) {
      w.result.setResult(Delivery.Batch.EMPTY);
    }
  }

  /** A waiter left (answered or not): its deadline and its slot under its key go. */
  private void left(WaitingPoll w) {
    ScheduledFuture<?> d = w.deadline;
    if (d != null) {
      d.cancel(false);
    }
    release(w.keyId);
  }

  private void release(String keyId) {
    perKey.computeIfPresent(keyId, (k, n) -> n == 1 ? null : n - 1);
  }

  /**
   * The periodic re-check, the safety net for lost notifications: one query for all groups of
   * waiting polls; a group whose filter has an available job is woken, a group whose next job falls
   * due before the re-check after next gets a wake planned at that time, and idle groups cost
   * nothing more.
   */
  private void tick() {
    try {
      List<ClaimFilter> groups = waiting.waitingFilters();
      if (groups.isEmpty()) {
        return;
      }
      long recheck = properties.recheck().toMillis();
      outlook
          .of(groups)
          .forEach(
              (filter, o) -> {
                if (o.availableNow()) {
                  signal(filter);
                } else if (o.nextDueMillis() != null && o.nextDueMillis() < 2 * recheck) {
                  // two intervals: the next tick comes a little after one (fixed delay + query)
                  timer.schedule(() -> signal(filter), o.nextDueMillis(), TimeUnit.MILLISECONDS);
                }
              });
    } catch (RuntimeException e) {
      // without the outlook, wake everyone: a lost notification must still only cost latency
      wakeAll();
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
    WaitingPolls.send(waiting.expireAll(), null);
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

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
