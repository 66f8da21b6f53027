package dev.spool.support;

import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On a Citus cluster: runs a write in a transaction of the test's own and tells on which nodes it
 * committed with two-phase commit. Citus records every transaction it prepares on a node in the
 * coordinator's {@code pg_dist_transaction}, under a name that carries the coordinator backend's
 * process id and the distributed transaction's number, until its recovery (once a minute) finds it
 * finished; the write's transaction reads both, so its rows can be told from everyone else's.
 */
public final class CitusTransactions {

  private CitusTransactions() {}

  /**
   * What a write did: the {@code LIKE} pattern of its prepared transactions' names, its
   * (coordinator's) transaction id, and its result.
   */
  public record Written<T>(String gid, long tx, T result) {}

  /** Runs {@code write} in a transaction and reads its identity before the commit. */
  public static <T> Written<T> inTransaction(
      JdbcClient jdbc, DataSource dataSource, Supplier<T> write) {
    return new TransactionTemplate(new DataSourceTransactionManager(dataSource))
        .execute(
            status -> {
              T result = write.get();
              long tx = jdbc.sql("SELECT txid_current()").query(Long.class).single();
              String gid =
                  jdbc.sql(
                          "SELECT 'citus\\_%\\_' || process_id || '\\_' || transaction_number"
                              + " || '\\_%' FROM get_current_transaction_id()")
                      .query(String.class)
                      .single();
              return new Written<>(gid, tx, result);
            });
  }

  /**
   * The node groups the write prepared on, one entry per prepared connection (empty: one-phase
   * commit). Fails when the write opened no distributed transaction at all.
   */
  public static List<Integer> preparedOn(JdbcClient jdbc, Written<?> write) {
    if (write.gid().contains("\\_0\\_%")) {
      throw new AssertionError("not a distributed transaction: " + write.gid());
    }
    return jdbc.sql("SELECT groupid FROM pg_dist_transaction WHERE gid LIKE :pattern")
        .param("pattern", write.gid())
        .query(Integer.class)
        .list();
  }
}
