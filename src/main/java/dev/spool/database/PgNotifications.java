package dev.spool.database;

import com.zaxxer.hikari.HikariDataSource;
import dev.spool.common.BackgroundLoop;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * The cross-instance bus: one dedicated PostgreSQL connection that LISTENs on Spool's channels and
 * hands every notification to in-process listeners. Notifications are sent by the writing
 * statements themselves (the SQL functions {@code spool_notify_events} and {@code
 * spool_notify_pending} of V1__schema.sql, called inside each statement's CTE), so they leave only
 * after commit, in commit order.
 *
 * <p>Channels: {@value #EVENTS} (payload {@code <txid>:<spaceId>[,<spaceId>...]|<first event
 * id>|<counts>}: a committed transaction that appended job events, the spaces of those events, and
 * how many of each type each space got ({@link #eventsCounts}) — one notification per statement.
 * Without the counts ({@code <txid>:<spaces>}) when they would be too long, or {@code <txid>:*}
 * when even the spaces would; fetch the events with {@code WHERE tx = :txid} then. V78 of the
 * schema says more) and {@value #PENDING} (payload: a space id in which jobs became pending).
 *
 * <p>If the connection drops, it reconnects with backoff and bumps {@link #generation()}, and every
 * listener's {@link Listener#onReconnect()} runs: notifications may have been lost in between, and
 * listeners must treat that as a gap, never as silence.
 *
 * <p>Listeners run on the bus thread and must return quickly (hand work to an executor). The thread
 * is a {@link BackgroundLoop} ({@code pg-listen}) calling {@link #runOnce()}, like every other
 * background thread: it never dies, and its health shows next to theirs.
 */
@Component
public class PgNotifications implements BackgroundLoop.Work {

  public static final String EVENTS = "spool_events";
  public static final String PENDING = "spool_pending";

  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 250;

  /** The first pause after a failed turn; it doubles with every further one (BackgroundLoop). */
  private static final Duration RECONNECT_BACKOFF = Duration.ofMillis(100);

  /** Receives notifications from the bus thread. */
  public interface Listener {
    void onNotification(String channel, String payload);

    /** The listening connection was (re)established after a drop: anything may have been missed. */
    default void onReconnect() {}
  }

  private final DataSource dataSource;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean connected;

  /** Used by the loop's thread only (and closed by {@link #disconnect()} after it stopped). */
  private Connection connection;

  /** Whether a connection was tried since the start: anything after the first is a reconnect. */
  private boolean triedBefore;

  PgNotifications(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The spaces a {@value #EVENTS} payload names, or null when it names none: {@code <txid>:*} (the
   * list was too long) or a bare txid, which stand for any space.
   */
  public static List<String> eventsSpaces(String payload) {
    int colon = payload == null ? -1 : payload.indexOf(':');
    if (colon < 0 || payload.endsWith(":*")) {
      return null;
    }
    int bar = payload.indexOf('|', colon);
    return List.of(payload.substring(colon + 1, bar < 0 ? payload.length() : bar).split(","));
  }

  /**
   * One line of a {@value #EVENTS} payload's counts: {@code n} events of {@code type} in a space.
   */
  public record EventCount(String spaceId, String type, long n) {}

  /**
   * The events a {@value #EVENTS} payload counts, by space and type ({@code <txid>:<spaces>|<first
   * id>|<i>.<type>=<n>,...}, {@code i} the space's position in the list); an empty list when the
   * statement appended none that are counted (custom types are not), null when the payload carries
   * no counts (it was too long, or it comes from a caller that does not count): then only a read of
   * the transaction's events tells.
   */
  public static List<EventCount> eventsCounts(String payload) {
    List<String> spaces = eventsSpaces(payload);
    int bar = payload == null ? -1 : payload.indexOf('|');
    int second = bar < 0 ? -1 : payload.indexOf('|', bar + 1);
    if (spaces == null || second < 0) {
      return null;
    }
    List<EventCount> counts = new ArrayList<>();
    String list = payload.substring(second + 1);
    if (list.isEmpty()) {
      return counts;
    }
    try {
      for (String entry : list.split(",")) {
        int dot = entry.indexOf('.');
        int eq = entry.lastIndexOf('=');
        if (dot < 0 || eq < dot) {
          return null;
        }
        int i = Integer.parseInt(entry.substring(0, dot));
        if (i < 0 || i >= spaces.size()) {
          return null;
        }
        counts.add(
            new EventCount(
                spaces.get(i),
                entry.substring(dot + 1, eq),
                Long.parseLong(entry.substring(eq + 1))));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return counts;
  }

  /**
   * The transaction id of a {@value #EVENTS} payload ({@code <txid>:<spaces>}, or a bare txid as
   * the callback outbox trigger sent it before V74); -1 when the payload is not one.
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

  /**
   * One turn of the listener: (re)connects when there is no connection, then waits up to {@value
   * #POLL_MILLIS} ms for notifications and hands them to the listeners. Always true: the wait is
   * the pause between turns. Anything thrown — a lost connection, or an {@link Error} from a
   * listener — drops the connection before it leaves, so health says disconnected at once, the loop
   * backs off and the next turn reconnects and tells every listener of the gap ({@link
   * Listener#onReconnect()}). A listener's RuntimeException is logged and does not disturb the
   * others.
   */
  @Override
  public boolean runOnce() throws SQLException {
    try {
      if (connection == null) {
        connect();
      }
      PGNotification[] batch = connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
      if (batch == null) {
        // getNotifications(timeout) does not notice a dead socket by itself
        if (!connection.isValid(2)) {
          throw new SQLException("listening connection lost");
        }
        return true;
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
      return true;
    } catch (Throwable e) {
      disconnect();
      throw e;
    }
  }

  private void connect() throws SQLException {
    boolean reconnect = triedBefore;
    triedBefore = true;
    connection = open();
    try (Statement st = connection.createStatement()) {
      st.execute("LISTEN " + EVENTS);
      st.execute("LISTEN " + PENDING);
    }
    connected = true;
    if (reconnect) {
      generation.incrementAndGet();
      log.info("Notification listener reconnected");
      listeners.forEach(PgNotifications::reconnected);
    }
  }

  /**
   * The loop stopped: the connection goes, so no notification piles up unread. A later start is a
   * first connection again, not a reconnect: what listened while stopped was stopped too and says
   * so itself (RealtimeFeed restarts its streams when started again).
   */
  @Override
  public void stopped() {
    disconnect();
    triedBefore = false;
  }

  /** Closes the listening connection; the next turn opens a new one. */
  private void disconnect() {
    connected = false;
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        log.debug("Closing the listening connection failed", e);
      }
    }
  }

  private static void reconnected(Listener l) {
    try {
      l.onReconnect();
    } catch (RuntimeException e) {
      log.warn("Notification listener failed on reconnect", e);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ListenLoop {
    /** Started before the web server takes traffic, stopped after it stopped. */
    static final int PHASE = Integer.MAX_VALUE - 1000;

    @Bean
    BackgroundLoop notificationListenLoop(PgNotifications notifications) {
      return new BackgroundLoop("pg-listen", RECONNECT_BACKOFF, notifications, PHASE);
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
