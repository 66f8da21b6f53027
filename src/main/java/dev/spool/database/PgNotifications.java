package dev.spool.database;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The cross-instance bus: one dedicated PostgreSQL connection that LISTENs on Spool's channels and
 * hands every notification to in-process listeners. Notifications are sent by the writing
 * statements themselves (the SQL functions {@code spool_notify_events} and {@code
 * spool_notify_pending} of V1__schema.sql, called inside each statement's CTE), so they leave only
 * after commit, in commit order.
 *
 * <p>Channels: {@value #EVENTS} (payload {@code <txid>:<spaceId>[,<spaceId>...]}: a committed
 * transaction that appended job events, and the spaces of those events — or {@code <txid>:*} when
 * the list would be too long for NOTIFY; fetch the events with {@code WHERE tx = :txid}. A
 * transaction whose statements touched different sets of spaces notifies once per set) and {@value
 * #PENDING} (payload: a space id in which jobs became pending).
 *
 * <p>If the connection drops, it reconnects with backoff and bumps {@link #generation()}, and every
 * listener's {@link Listener#onReconnect()} runs: notifications may have been lost in between, and
 * listeners must treat that as a gap, never as silence.
 *
 * <p>Listeners run on the bus thread and must return quickly (hand work to an executor).
 */
@Component
public class PgNotifications implements SmartLifecycle {

  public static final String EVENTS = "spool_events";
  public static final String PENDING = "spool_pending";

  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** Receives notifications from the bus thread. */
  public interface Listener {
    void onNotification(String channel, String payload);

    /** The listening connection was (re)established after a drop: anything may have been missed. */
    default void onReconnect() {}
  }

  private final DataSource dataSource;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean running;
  private volatile boolean connected;
  private volatile Thread thread;

  PgNotifications(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The transaction id of a {@value #EVENTS} payload ({@code <txid>:<spaces>}, or a bare txid as V1
   * sent it); -1 when the payload is not one.
   */
  public static long eventsTxid(String payload) {
    if (payload == null) {
      return -1;
    }
    int colon = payload.indexOf(':');
    try {
      return Long.parseLong(colon < 0 ? payload : payload.substring(0, colon));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** Whether the listening connection is up now. */
  public boolean isConnected() {
    return connected;
  }

  /** Increases every time the connection is re-established after a drop. */
  public long generation() {
    return generation.get();
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::loop, "spool-pg-listen");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // start before the web server takes traffic, stop after it stopped
    return Integer.MAX_VALUE - 1000;
  }

  private void loop() {
    long backoffMs = 100;
    boolean first = true;
    boolean warned = false;
    while (running) {
      try (Connection connection = open()) {
        try (Statement st = connection.createStatement()) {
          st.execute("LISTEN " + EVENTS);
          st.execute("LISTEN " + PENDING);
        }
        connected = true;
        if (!first) {
          generation.incrementAndGet();
          log.info("Notification listener reconnected");
          listeners.forEach(PgNotifications::reconnected);
        }
        first = false;
        warned = false;
        backoffMs = 100;
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] batch = pg.getNotifications((int) POLL.toMillis());
          if (batch == null) {
            // getNotifications(timeout) does not notice a dead socket by itself
            if (!connection.isValid(2)) {
              throw new SQLException("listening connection lost");
            }
            continue;
          }
          for (PGNotification n : batch) {
            for (Listener l : listeners) {
              try {
                l.onNotification(n.getName(), n.getParameter());
              } catch (RuntimeException e) {
                log.warn("Notification listener failed", e);
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        connected = false;
        first = false;
        if (!running) {
          return;
        }
        if (!warned) {
          log.warn(
              "Notification listener disconnected ({}); retrying with backoff", e.getMessage());
          warned = true;
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      }
    }
    connected = false;
  }

  private static void reconnected(Listener l) {
    try {
      l.onReconnect();
    } catch (RuntimeException e) {
      log.warn("Notification listener failed on reconnect", e);
    }
  }

  /** A connection of its own, outside the pool, so a LISTEN never holds a pooled connection. */
  private Connection open() throws SQLException {
    if (dataSource instanceof HikariDataSource hikari) {
      return DriverManager.getConnection(
          hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword());
    }
    return dataSource.getConnection();
  }
}
