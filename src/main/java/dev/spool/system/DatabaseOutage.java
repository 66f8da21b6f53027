package dev.spool.system;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.CannotCreateTransactionException;

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

  /** True when {@code e} or any of its causes says the database could not be reached. */
  public static boolean isOutage(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
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
      if (t instanceof SQLException sql && isConnectionState(sql.getSQLState())) {
        return true;
      }
    }
    return false;
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
    return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable");
  }
}
