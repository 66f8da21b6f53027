package dev.spool.support;

import dev.spool.job.JobCounts;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Waits until every status change committed so far is folded into {@code job_counts}. Retention
 * deletes only jobs whose events are folded (see {@code RetentionReaper}), so a test that makes a
 * job terminal and reaps it at once folds first instead of waiting for the roll-up loop.
 */
public final class CountsFolded {

  private CountsFolded() {}

  public static void await(JdbcClient jdbc, JobCounts counts) {
    // a transaction of its own, committed: once the watermark is past it, all before it are folded
    long mark = jdbc.sql("SELECT txid_current()").query(Long.class).single();
    long until = System.nanoTime() + 10_000_000_000L;
    while (true) {
      counts.runOnce();
      long watermark = jdbc.sql("SELECT tx FROM job_count_watermark").query(Long.class).single();
      if (watermark > mark) {
        return;
      }
      if (System.nanoTime() > until) {
        throw new IllegalStateException("the count watermark stayed at " + watermark);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
