package dev.spool.web;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Recognises "the database is unreachable" in whatever wrapping it arrives (Spring's translated
 * exceptions, Hibernate's, the driver's or Hikari's own), so that every path answers 503 with
 * {@code Retry-After} instead of 500, and logs an outage without flooding the log.
 */
public final class DatabaseOutage {

  /**
   * What 503 answers carry in {@code Retry-After}: long enough for a failover, short for a blip.
   */
  public static final int RETRY_AFTER_SECONDS = 5;

  /** A request-path outage is logged at WARN at most this often; the rest go to DEBUG. */
  private static final long WARN_EVERY_MS = 10_000;

  private static final AtomicLong lastWarned = new AtomicLong();

  private DatabaseOutage() {}

  /**
   * True when {@code e}, any of its causes, suppressed exceptions or (for a failed rollback) the
   * exception the rollback was for says the connection to the database failed. Spring's transaction
   * managers report a rollback on a dead connection as {@code TransactionSystemException}
   * ("Application exception overridden by rollback exception") or {@code JpaSystemException}
   * ("Unable to rollback against JDBC Connection"), hiding the driver's exception a level or two
   * down, sometimes only among the suppressed ones: so the whole graph is searched, not one chain.
   */
  public static boolean isOutage(Throwable e) {
    Deque<Throwable> todo = new ArrayDeque<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    todo.add(e);
    while (!todo.isEmpty() && seen.size() < MAX_EXCEPTIONS_SEARCHED) {
      Throwable t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (isOutageItself(t)) {
        return true;
      }
      List<Throwable> next = new ArrayList<>(Arrays.asList(t.getSuppressed()));
      next.add(t.getCause());
      if (t instanceof TransactionSystemException tse) {
        next.add(tse.getApplicationException());
      }
      if (t instanceof SQLException sql) {
        next.add(sql.getNextException());
      }
      next.stream().filter(Objects::nonNull).forEach(todo::add);
    }
    return false;
  }

  /** Exceptions examined at most per classification (a guard against pathological graphs). */
  private static final int MAX_EXCEPTIONS_SEARCHED = 64;

  private static boolean isOutageItself(Throwable t) {
    if (t instanceof DataAccessResourceFailureException
        || t instanceof CannotCreateTransactionException
        || t instanceof TransientDataAccessResourceException
        || t instanceof QueryTimeoutException
        || t instanceof SQLTransientConnectionException
        || t instanceof SQLNonTransientConnectionException
        || t instanceof SQLRecoverableException
        || t instanceof ConnectException) {
      return true;
    }
    if (t instanceof SQLException sql) {
      // the driver's I/O failures (reset, EOF, socket timeout) arrive as a cause of an SQLException
      return isConnectionState(sql.getSQLState())
          || sql.getCause() instanceof SocketException
          || sql.getCause() instanceof SocketTimeoutException
          || sql.getCause() instanceof EOFException;
    }
    // a rollback or commit that cannot reach the server means the connection is gone, whatever
    // the application exception was (the driver's exception may not be attached at all)
    String message = t.getMessage();
    return message != null
        && (message.startsWith("Unable to rollback against JDBC Connection")
            || message.startsWith("Unable to commit against JDBC Connection")
            || message.startsWith("JDBC rollback failed")
            || message.startsWith("JDBC commit failed"));
  }

  /**
   * SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash shutdown,
   * cannot connect now: what {@code pg_terminate_backend} and a restarting server produce).
   */
  static boolean isConnectionState(String state) {
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }

  /** Logs a failure for lack of a database: one WARN per 10 s per process, DEBUG otherwise. */
  public static void report(Logger log, Throwable e) {
    long now = System.currentTimeMillis();
    long last = lastWarned.get();
    if (now - last >= WARN_EVERY_MS && lastWarned.compareAndSet(last, now)) {
      log.warn("Database unavailable: {}", e.getMessage());
    } else {
      log.debug("Database unavailable: {}", e.getMessage());
    }
  }

  /** The contract's 503 error; the caller adds {@code Retry-After}. */
  public static ApiException exception() {
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE, "database_unavailable", "Service unavailable");
  }
}
