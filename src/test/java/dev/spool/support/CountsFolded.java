package dev.spool.support;

import dev.spool.job.JobCounts;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Waits until every status change committed so far is folded into {@code job_counts}. Retention
 * deletes only jobs whose events are folded (see {@code RetentionReaper}), so a test that makes a
 * job terminal and reaps it at once folds first instead of waiting for the roll-up loop.
 */
public final class CountsFolded {

  private CountsFolded() {}

  public static void await(JdbcClient jdbc, JobCounts counts) {
    if (!counts.foldCommitted(Duration.ofSeconds(10))) {
      throw new IllegalStateException(
          "the count watermark stayed at "
              + jdbc.sql("SELECT tx FROM job_count_watermark").query(Long.class).single());
    }
  }
}
