package dev.spool.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the worker API's long poll.
 *
 * @param recheck how often waiting polls look again without being told (so a lost notification
 *     costs at most this much latency)
 * @param claimThreads threads that run the claims of woken long polls (each holds a database
 *     connection only while its claim statement runs)
 * @param maxPerKey most long polls one API key may have waiting on one instance; one more answers
 *     429 with {@code Retry-After}. High, because a worker fleet often shares one key
 */
@ConfigurationProperties("spool.worker.long-poll")
record WorkerProperties(
    @DefaultValue("1s") Duration recheck,
    @DefaultValue("4") int claimThreads,
    @DefaultValue("500") int maxPerKey) {

  WorkerProperties {
    if (recheck.isNegative() || recheck.isZero()) {
      throw new IllegalArgumentException("spool.worker.long-poll.recheck must be positive");
    }
    if (claimThreads < 1) {
      throw new IllegalArgumentException("spool.worker.long-poll.claim-threads must be >= 1");
    }
    if (maxPerKey < 1) {
      throw new IllegalArgumentException("spool.worker.long-poll.max-per-key must be >= 1");
    }
  }
}
