package dev.spool.callback;

import dev.spool.common.Ids;
import dev.spool.database.PgNotifications;
import dev.spool.job.JobEventType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends due callbacks: claims as many due deliveries as there are idle sender threads (fairly over
 * spaces, at most {@code max-in-flight-per-space} of one space in flight: {@link
 * CallbackOutbox#CLAIM_DUE}), hands one to each, and records every attempt. Woken at once by the
 * events notification that follows a terminal transition (on any instance); looks again every poll
 * interval regardless.
 */
class CallbackDispatcher implements PgNotifications.Listener {

  private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);

  private final CallbackOutbox outbox;
  private final WebhookSender sender;
  private final RetrySchedule schedule;
  private final CallbackProperties props;
  private final Clock clock;
  private static final JsonMapper json = JsonMapper.builder().build();
  private final ExecutorService pool;

  /** Idle sender threads: only the dispatcher thread acquires, senders release. */
  private final Semaphore idle;

  /** Pending wake-ups; drained by each turn. */
  private final WakeSignal wake = new WakeSignal();

  /** On Citus: the spaces the next turn looks at ({@link NotifiedSpaces}). */
  private final NotifiedSpaces notified;

  private final AtomicLong attempted = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();

  CallbackDispatcher(
      CallbackOutbox outbox,
      WebhookSender sender,
      RetrySchedule schedule,
      CallbackProperties props,
      Clock clock) {
    this.outbox = outbox;
    this.notified = new NotifiedSpaces(props.pollInterval());
    this.sender = sender;
    this.schedule = schedule;
    this.props = props;
    this.clock = clock;
    this.idle = new Semaphore(props.senders());
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            props.senders(),
            r -> {
              Thread t = new Thread(r, "spool-callback-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (PgNotifications.EVENTS.equals(channel) && mayHaveWrittenDeliveries(payload)) {
      if (outbox.distributed()) { // only Citus turns take them (one PostgreSQL would only collect)
        notified.add(payload);
      }
      wake.signal();
    }
  }

  /**
   * Whether the statement a {@code spool_events} notification announces may have written callback
   * deliveries: a delivery is written (by the outbox trigger) only when a job becomes completed,
   * dead or killed, and that statement appends the terminal event. A payload that counts its events
   * and counts none of those does not wake the loop; one without counts (too long for NOTIFY, or an
   * old writer) always does.
   */
  static boolean mayHaveWrittenDeliveries(String payload) {
    List<PgNotifications.EventCount> counts = PgNotifications.eventsCounts(payload);
    return counts == null
        || counts.stream()
            .anyMatch(
                c -> JobEventType.fromWire(c.type()).map(JobEventType::isTerminal).orElse(false));
  }

  @Override
  public void onReconnect() {
    wakeUp();
  }

  /** Wakes the loop to look at every space (a sender became free, or anything may be due). */
  void wakeUp() {
    notified.everything();
    wake.signal();
  }

  /**
   * The loop's turn: dispatch what is due; when that filled every idle sender, come straight back
   * (more may be due), else wait for a wake-up or the poll interval. Always returns true so the
   * loop never adds a sleep of its own.
   */
  boolean runOnce() {
    int capacity = Math.min(idle.availablePermits(), props.batchSize());
    int claimed = dispatchDue();
    if (claimed > 0 && claimed == capacity && idle.availablePermits() > 0) {
      notified.everything(); // more may be due, in any space
      return true;
    }
    return wake.await(props.pollInterval(), props.wakeDelay());
  }

  /** Claims up to one delivery per idle sender and starts them; returns how many it claimed. */
  int dispatchDue() {
    int capacity = Math.min(idle.availablePermits(), props.batchSize());
    if (capacity == 0) {
      return 0;
    }
    String token = Ids.next();
    List<CallbackOutbox.Delivery> due =
        outbox.claimDue(
            capacity,
            props.maxInFlightPerSpace(),
            token,
            props.lease(),
            outbox.distributed() ? notified.take() : null);
    for (CallbackOutbox.Delivery d : due) {
      idle.acquireUninterruptibly();
      pool.execute(
          () -> {
            try {
              attempt(d, token);
            } catch (RuntimeException e) {
              // the lease expires and the delivery is tried again; never lose the thread
              log.warn(
                  "Callback {} for job {} could not be recorded: {}",
                  d.id(),
                  d.jobId(),
                  e.toString());
            } finally {
              idle.release();
              wakeUp();
            }
          });
    }
    return due.size();
  }

  /** Sends one claimed delivery and records the outcome. */
  void attempt(CallbackOutbox.Delivery d, String token) {
    byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
    WebhookSender.Outcome outcome = sender.post(d.url(), headers(d), body);
    attempted.incrementAndGet();
    if (outcome.success()) {
      succeeded.incrementAndGet();
    }
    int retryAttempt = d.attempts();
    CallbackOutbox.Attempt attempt;
    if (outcome.success()) {
      ObjectNode data = json.createObjectNode();
      data.put("url", d.url());
      data.put("statusCode", outcome.statusCode());
      data.put("retryAttempt", retryAttempt);
      attempt =
          new CallbackOutbox.Attempt(
              JobEventType.CALLBACK_SENT.wire(),
              "sent",
              Duration.ZERO,
              retryAttempt,
              outcome.statusCode(),
              null,
              outcome.responseBody(),
              false,
              json.writeValueAsString(data));
    } else {
      Optional<Duration> retry =
          schedule.after(retryAttempt, outcome.statusCode(), outcome.retryAfter(), clock.instant());
      String error = outcome.error() != null ? outcome.error() : "HTTP " + outcome.statusCode();
      ObjectNode data = json.createObjectNode();
      data.put("url", d.url());
      data.put("statusCode", outcome.statusCode());
      data.put("error", error);
      data.put("responseBody", outcome.responseBody());
      data.put("retryAttempt", retryAttempt);
      data.put("willRetry", retry.isPresent());
      attempt =
          new CallbackOutbox.Attempt(
              JobEventType.CALLBACK_FAILED.wire(),
              retry.isPresent() ? "pending" : "failed",
              retry.orElse(Duration.ZERO),
              retryAttempt,
              outcome.statusCode(),
              error,
              outcome.responseBody(),
              retry.isPresent(),
              json.writeValueAsString(data));
    }
    if (!outbox.record(d, token, attempt)) {
      log.warn(
          "Callback {} for job {}: lease lost before the attempt was recorded", d.id(), d.jobId());
    }
  }

  /** The job's callbackHeaders, then the Standard Webhooks headers when the space signs. */
  private Map<String, String> headers(CallbackOutbox.Delivery d) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (d.headersJson() != null) {
      json.readTree(d.headersJson())
          .properties()
          .forEach(e -> headers.put(e.getKey(), e.getValue().asString()));
    }
    if (d.secret() != null) {
      long timestamp = clock.instant().getEpochSecond();
      headers.put("webhook-id", d.id());
      headers.put("webhook-timestamp", Long.toString(timestamp));
      headers.put(
          "webhook-signature",
          WebhookSigner.signature(d.id(), timestamp, d.body(), d.secret(), d.previousSecret()));
    }
    return headers;
  }

  /** Attempts made by this instance since it started. */
  long attempted() {
    return attempted.get();
  }

  /** Attempts by this instance that got a 2xx. */
  long succeeded() {
    return succeeded.get();
  }

  /** Lets attempts in flight finish and record (bounded by the sender's deadline). */
  void shutdown() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(
          props.connectTimeout().plus(props.responseTimeout()).toMillis() + 2000,
          TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
