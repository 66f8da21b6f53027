package dev.spool.ops;

import static java.util.stream.Collectors.joining;
import static java.util.stream.Collectors.toUnmodifiableSet;

import dev.spool.database.PgNotifications;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobEventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Counts job transitions and callback outcomes per space from the committed event stream, so no
 * feature has to call into metrics: every statement that appends events announces its transaction
 * on {@link PgNotifications#EVENTS} with its events counted by space and type (V78), and this class
 * adds those counts as they arrive. A notification without counts (too long for NOTIFY, or from a
 * writer that does not count) is queued and, on its own thread (never the bus thread), its
 * transaction's events are read back ({@code type, count(*)}) in batches.
 *
 * <p>The counters are <b>cluster-wide</b>: every instance hears every transaction, so each instance
 * reports the whole cluster's numbers. Aggregate across instances with {@code max()}, never {@code
 * sum()}. Notifications sent while the listener was disconnected are not seen, so the counters
 * undercount across a database outage; they reset when the instance restarts, like any Prometheus
 * counter.
 */
@Component
@ConditionalOnProperty(
    name = "spool.ops.event-metrics",
    havingValue = "true",
    matchIfMissing = true)
class JobEventMetrics implements PgNotifications.Listener, SmartLifecycle {

  static final String METER = "spool.job.events";

  /** Lifecycle and callback events worth a time series; custom event types are unbounded. */
  static final Set<String> COUNTED =
      Arrays.stream(JobEventType.values())
          .filter(JobEventType::isCounted)
          .map(JobEventType::wire)
          .collect(toUnmodifiableSet());

  /**
   * How long a drain waits before it reads, so that under load one query counts the events of many
   * transactions. Counters lag by about this much, far below any scrape interval.
   */
  static final Duration GATHER = Duration.ofMillis(50);

  /** Transactions fetched per query. */
  private static final int BATCH = 500;

  /** Ids waiting to be read; beyond this the oldest are dropped (and counted) rather than OOM. */
  private static final int MAX_QUEUED = 100_000;

  private static final String EVENTS_OF_TRANSACTIONS =
      """
      SELECT space_id, type, count(*) AS n FROM job_events
      WHERE tx = ANY (CAST(:txs AS bigint[])) AND type IN (:types)
      GROUP BY space_id, type
      """;

  /**
   * On Citus, when the batch's notifications named at most {@link #ROUTED_SPACES} spaces: {@link
   * #EVENTS_OF_TRANSACTIONS} once per space, each routed to that space's shard, instead of one read
   * over all 32 shards (up to 20 times a second under load).
   */
  private static final String EVENTS_OF_TRANSACTIONS_IN_SPACE =
      """
      SELECT space_id, type, count(*) AS n FROM job_events
      WHERE space_id = :space AND tx = ANY (CAST(:txs AS bigint[])) AND type IN (:types)
      GROUP BY space_id, type
      """;

  static final int ROUTED_SPACES = 8;

  /** A committed transaction and the spaces its notification named (null: any space). */
  record Tx(long tx, List<String> spaces) {}

  private static final Logger log = LoggerFactory.getLogger(JobEventMetrics.class);

  private final PgNotifications notifications;
  private final JdbcClient jdbc;
  private final MeterRegistry registry;
  private final LinkedBlockingQueue<Tx> queued = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final SpaceRouting routing;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Counter dropped;
  private volatile ExecutorService executor;

  JobEventMetrics(
      PgNotifications notifications,
      JdbcClient jdbc,
      MeterRegistry registry,
      SpaceRouting routing) {
    this.notifications = notifications;
    this.routing = routing;
    this.jdbc = jdbc;
    this.registry = registry;
    this.dropped =
        Counter.builder("spool.job.events.unread")
            .description(
                "Committed transactions whose events the counters missed (queue full or database error)")
            .register(registry);
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (!PgNotifications.EVENTS.equals(channel)) {
      return;
    }
    long tx = PgNotifications.eventsTxid(payload);
    if (tx < 0) {
      return;
    }
    List<PgNotifications.EventCount> counts = PgNotifications.eventsCounts(payload);
    if (counts != null) {
      for (PgNotifications.EventCount c : counts) {
        if (COUNTED.contains(c.type())) {
          counter(c.spaceId(), c.type()).increment(c.n());
        }
      }
      return;
    }
    if (!queued.offer(new Tx(tx, PgNotifications.eventsSpaces(payload)))) {
      dropped.increment();
      return;
    }
    ExecutorService ex = executor;
    if (ex != null && draining.compareAndSet(false, true)) {
      ex.execute(this::drain);
    }
  }

  /** Reads queued transactions until none is left; runs on the metrics thread. */
  void drain() {
    try {
      // let a busy moment's transactions gather: one query for many instead of one each
      Thread.sleep(GATHER.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      List<Tx> batch = new ArrayList<>(BATCH);
      while (queued.drainTo(batch, BATCH) > 0) {
        count(batch);
        batch.clear();
      }
    } finally {
      draining.set(false);
    }
    // an id queued between the last drainTo and the reset above must not wait for the next one
    ExecutorService ex = executor;
    if (!queued.isEmpty() && ex != null && draining.compareAndSet(false, true)) {
      ex.execute(this::drain);
    }
  }

  private void count(List<Tx> batch) {
    String txs = batch.stream().map(t -> String.valueOf(t.tx())).collect(joining(",", "{", "}"));
    try {
      Set<String> spaces = routing.distributed() ? spacesOf(batch) : null;
      if (spaces == null) {
        read(jdbc.sql(EVENTS_OF_TRANSACTIONS).param("txs", txs));
      } else {
        for (String space : spaces) {
          read(jdbc.sql(EVENTS_OF_TRANSACTIONS_IN_SPACE).param("space", space).param("txs", txs));
        }
      }
    } catch (RuntimeException e) {
      dropped.increment(batch.size());
      log.debug("Event metrics skipped {} transactions: {}", batch.size(), e.getMessage());
    }
  }

  private void read(JdbcClient.StatementSpec query) {
    query
        .param("types", COUNTED)
        .query(
            (rs, n) -> {
              counter(rs.getString("space_id"), rs.getString("type")).increment(rs.getLong("n"));
              return null;
            })
        .list();
  }

  /** The spaces the batch's notifications named, or null when one named none or too many. */
  static Set<String> spacesOf(List<Tx> batch) {
    Set<String> spaces = new java.util.TreeSet<>();
    for (Tx t : batch) {
      if (t.spaces() == null) {
        return null;
      }
      spaces.addAll(t.spaces());
      if (spaces.size() > ROUTED_SPACES) {
        return null;
      }
    }
    return spaces;
  }

  private Counter counter(String space, String type) {
    return Counter.builder(METER)
        .description("Job events committed, per space and type, cluster-wide (aggregate with max)")
        .tag("space", space)
        .tag("type", type)
        .register(registry);
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "spool-event-metrics");
              t.setDaemon(true);
              return t;
            });
    notifications.addListener(this);
  }

  @Override
  public void stop() {
    notifications.removeListener(this);
    ExecutorService ex = executor;
    executor = null;
    if (ex != null) {
      ex.shutdown();
      try {
        ex.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }
}
