package dev.spool.database;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Durable commits for transactions that NOTIFY, without serializing them on PostgreSQL's notify
 * lock.
 *
 * <p>Why: a transaction that sends a notification (every job write does, from its own statement)
 * takes one cluster-wide lock at commit and holds it until its commit record is flushed to disk.
 * Notifying commits therefore cannot share a WAL flush (no group commit): on this project's 2-core
 * machine they top out near 300 commits/s, whatever the number of clients, against about 2,500
 * without the notification.
 *
 * <p>How: the writing transaction commits with {@code synchronous_commit = off} for itself only
 * ({@link #DEFER_FLUSH}), so the lock is held for microseconds; then, before the caller answers its
 * client, {@link #flush()} commits a tiny transaction synchronously, which flushes the WAL up to
 * and including the earlier commit record. Many such flushes from concurrent requests share one
 * disk flush. An acknowledged write is exactly as durable as with a plain synchronous commit; the
 * one difference is that other sessions may see the rows a moment before they are on disk (a crash
 * in that moment loses a write whose client never got an answer). Notifications still leave from
 * the writing statements, at commit, in commit order.
 *
 * <p>One flush at a time per instance: a caller that finds a flush running waits for it to end and
 * then for one more (the running one may have begun before the caller's commit), and the callers
 * that waited together share that next flush — one of them runs it, the others return when it
 * succeeds. An idle instance flushes a lone request at once; under load the flush transactions fall
 * from one per request to about one per disk flush, which is what PostgreSQL's own group commit
 * would have shared anyway, so each request saves a round trip, a transaction and its commit
 * record, and the server's backends stop queueing on {@code WALWrite}. A flush that fails fails its
 * runner; each waiter then runs its own.
 *
 * <p>{@code spool.durability.flush-after-commit=false} restores plain synchronous commits.
 */
@Component
public class DurableCommits {

  /** Turns off the commit's own WAL flush, for the current transaction only. */
  public static final String DEFER_FLUSH = "SELECT set_config('synchronous_commit', 'off', true)";

  /**
   * A transaction that writes one WAL record and commits with the session's own (synchronous)
   * setting: its commit flushes the WAL up to itself, so every earlier commit is on disk after it.
   * A transaction that writes nothing (such as {@code SELECT txid_current()}) would skip the flush,
   * hence the logical message; it is ignored unless logical decoding reads it.
   */
  static final String FLUSH = "SELECT pg_logical_emit_message(true, 'spool', 'flush')::text";

  private final JdbcClient jdbc;
  private final DurabilityProperties properties;
  private final TransactionTemplate tx;

  private final ReentrantLock flushLock = new ReentrantLock();
  private final Condition flushEnded = flushLock.newCondition();
  private boolean flushing;
  private long flushesBegun;
  private long flushesDone; // the number of the last flush that succeeded
  private long flushRequests;

  /**
   * Writes here are plain SQL through {@code jdbc}, so their transactions are the data source's
   * own: cheaper to open and close than the JPA transaction manager's, which sets up an entity
   * manager for every transaction.
   */
  DurableCommits(
      JdbcClient jdbc,
      DurabilityProperties properties,
      DataSource dataSource,
      MeterRegistry registry) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    FunctionCounter.builder("spool.durability.flushes", this, d -> d.counted(false))
        .description("WAL flushes run after deferred commits (shared by concurrent requests)")
        .register(registry);
    FunctionCounter.builder("spool.durability.flush.requests", this, d -> d.counted(true))
        .description("Requests that waited for a WAL flush after a deferred commit")
        .register(registry);
  }

  /**
   * Runs a write whose client waits for the answer (a worker transition): in a transaction whose
   * commit skips its own WAL flush, then {@link #flush()} before returning. When the write throws,
   * it rolls back and nothing is flushed; when it changed nothing (an empty {@link Optional} or
   * collection: an empty poll, a guard that matched no row) there is nothing to make durable, so no
   * flush is paid either. Disabled: the write runs as it is (autocommit).
   */
  public <T> T write(Supplier<T> work) {
    return flushedAfter(() -> deferred(work));
  }

  /**
   * Runs a write whose commit already skips its own WAL flush (an autocommit statement that defers
   * it itself, such as one with {@code JobSql.COMMIT_MODE} bound to {@link #enabled()}), then
   * {@link #flush()} before returning when it changed something, as {@link #write} does.
   */
  public <T> T flushedAfter(Supplier<T> work) {
    T result = work.get();
    if (enabled() && wroteSomething(result)) {
      flush();
    }
    return result;
  }

  private static boolean wroteSomething(Object result) {
    if (result instanceof Optional<?> o) {
      return o.isPresent();
    }
    if (result instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    return true;
  }

  /**
   * Runs a write in a transaction whose commit skips its own WAL flush, without flushing after it:
   * the caller calls {@link #flush()} before its client hears of the write (a group commit flushes
   * once for its whole group). Disabled: the write runs as it is.
   */
  public <T> T deferred(Supplier<T> work) {
    if (!enabled()) {
      return work.get();
    }
    return tx.execute(
        status -> {
          deferFlush();
          return work.get();
        });
  }

  /** Whether writers should defer their commit's flush and call {@link #flush()}. */
  public boolean enabled() {
    return properties.flushAfterCommit();
  }

  /** Inside a transaction: let its commit skip the WAL flush (a no-op when disabled). */
  public void deferFlush() {
    if (enabled()) {
      jdbc.sql(DEFER_FLUSH).query().singleValue();
    }
  }

  /**
   * Outside any transaction, after a commit whose flush was deferred: returns once that commit is
   * on disk. Call it before telling the client the write happened.
   */
  public void flush() {
    if (!enabled()) {
      return;
    }
    flushLock.lock();
    try {
      flushRequests++;
      // the running flush, if any, may have begun before the caller's commit: the next one will not
      long covering = flushesBegun + 1;
      while (flushesDone < covering) {
        if (flushing) {
          flushEnded.awaitUninterruptibly();
          continue;
        }
        flushing = true;
        long mine = ++flushesBegun;
        boolean flushed = false;
        flushLock.unlock();
        try {
          jdbc.sql(FLUSH).query().singleValue();
          flushed = true;
        } finally {
          flushLock.lock();
          flushing = false;
          if (flushed) {
            flushesDone = mine;
          }
          flushEnded.signalAll();
        }
      }
    } finally {
      flushLock.unlock();
    }
  }

  private double counted(boolean requests) {
    flushLock.lock();
    try {
      return requests ? flushRequests : flushesBegun;
    } finally {
      flushLock.unlock();
    }
  }
}
