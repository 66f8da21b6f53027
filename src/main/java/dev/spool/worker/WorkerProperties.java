package dev.spool.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the worker API's long poll.
 *
 * @param recheck how often a waiting poll looks again without being told (so a lost notification
 *     costs at most this much latency)
 * @param claimThreads threads that run the claims of woken long polls (each holds a database
 *     connection only while its claim statement runs)
 */
@ConfigurationProperties("spool.worker.long-poll")
record WorkerProperties(@DefaultValue("1s") Duration recheck, @DefaultValue("4") int claimThreads) {

  WorkerProperties {
    if (recheck.isNegative() || recheck.isZero()) {
      throw new IllegalArgumentException("spool.worker.long-poll.recheck must be positive");
    }
    if (claimThreads < 1) {
      throw new IllegalArgumentException("spool.worker.long-poll.claim-threads must be >= 1");
    }
  }
}
