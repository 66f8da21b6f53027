package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The shared flush: every caller of {@link DurableCommits#flush()} returns only once the WAL is on
 * disk up to its own commit, however many callers share one flush.
 */
class DurableFlushIntegrationTests extends IntegrationTest {

  @Autowired DataSource dataSource;

  @Test
  void everyConcurrentCallerReturnsWithItsCommitOnDiskAndCallersShareFlushes() throws Exception {
    // an instance of its own, so that the counters see only this test's calls
    MeterRegistry registry = new SimpleMeterRegistry();
    DurableCommits durable =
        new DurableCommits(
            JdbcClient.create(dataSource), new DurabilityProperties(true), dataSource, registry);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> callers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        callers.add(pool.submit(() -> uncoveredCommits(durable, 100)));
      }
      int uncovered = 0;
      for (Future<Integer> f : callers) {
        uncovered += f.get(60, TimeUnit.SECONDS);
      }

      double requests = registry.get("spool.durability.flush.requests").functionCounter().count();
      double flushes = registry.get("spool.durability.flushes").functionCounter().count();
      System.out.printf("%.0f flush requests, %.0f flushes%n", requests, flushes);
      assertThat(uncovered).as("commits not on disk when flush() returned").isZero();
      assertThat(requests).isEqualTo(800);
      // eight callers at once: some wait while a flush runs and share the next one
      assertThat(flushes).isPositive().isLessThan(requests);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Commits {@code n} transactions whose own flush is deferred, each followed by {@code flush()},
   * and counts those whose commit record was not yet flushed when it returned.
   */
  private int uncoveredCommits(DurableCommits durable, int n) {
    JdbcClient client = JdbcClient.create(dataSource);
    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    int uncovered = 0;
    for (int i = 0; i < n; i++) {
      tx.executeWithoutResult(
          status -> {
            durable.deferFlush();
            client
                .sql("SELECT pg_logical_emit_message(true, 'spool-test', 'x')::text")
                .query()
                .singleValue();
          });
      // at or past this transaction's commit record: the flush must reach it
      String lsn =
          client.sql("SELECT pg_current_wal_insert_lsn()::text").query(String.class).single();
      durable.flush();
      boolean onDisk =
          client
              .sql("SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), CAST(:lsn AS pg_lsn)) >= 0")
              .param("lsn", lsn)
              .query(Boolean.class)
              .single();
      if (!onDisk) {
        uncovered++;
      }
    }
    return uncovered;
  }
}
