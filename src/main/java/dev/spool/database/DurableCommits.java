package dev.spool.database;

import java.util.Collection;
import java.util.Optional;
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
 * <p>Why: a transaction that sends a notification (every job write does, through the triggers of
 * V1) takes one cluster-wide lock at commit and holds it until its commit record is flushed to
 * disk. Notifying commits therefore cannot share a WAL flush (no group commit): on this project's
 * 2-core machine they top out near 300 commits/s, whatever the number of clients, against about
 * 2,500 without the notification.
 *
 * <p>How: the writing transaction commits with {@code synchronous_commit = off} for itself only
 * ({@link #DEFER_FLUSH}), so the lock is held for microseconds; then, before the caller answers its
 * client, {@link #flush()} commits a tiny transaction synchronously, which flushes the WAL up to
 * and including the earlier commit record. Many such flushes from concurrent requests share one
 * disk flush. An acknowledged write is exactly as durable as with a plain synchronous commit; the
 * one difference is that other sessions may see the rows a moment before they are on disk (a crash
 * in that moment loses a write whose client never got an answer). Notifications still leave from
 * the triggers, at commit, in commit order.
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

  /**
   * Writes here are plain SQL through {@code jdbc}, so their transactions are the data source's
   * own: cheaper to open and close than the JPA transaction manager's, which sets up an entity
   * manager for every transaction.
   */
  DurableCommits(JdbcClient jdbc, DurabilityProperties properties, DataSource dataSource) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
  }

  /**
   * Runs a write whose client waits for the answer (a worker transition): in a transaction whose
   * commit skips its own WAL flush, then {@link #flush()} before returning. When the write throws,
   * it rolls back and nothing is flushed; when it changed nothing (an empty {@link Optional} or
   * collection: an empty poll, a guard that matched no row) there is nothing to make durable, so no
   * flush is paid either. Disabled: the write runs as it is (autocommit).
   */
  public <T> T write(Supplier<T> work) {
    if (!enabled()) {
      return work.get();
    }
    T result =
        tx.execute(
            status -> {
              deferFlush();
              return work.get();
            });
    if (wroteSomething(result)) {
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
    if (enabled()) {
      jdbc.sql(FLUSH).query().singleValue();
    }
  }
}
