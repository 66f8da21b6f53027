package dev.spool.worker;

import java.time.Duration;

/**
 * The retry delay of docs/api.md §3 {@code backoffSeconds}: after failed attempt {@code k}
 * (0-based) the job waits {@code n·2^k} seconds, capped at one hour, with ±10 % jitter, and never
 * more than the hour. The statements compute it with the SQL function {@code spool_retry_delay}
 * (V10) so a fail and a timeout decide it inside their one statement; this class is its
 * specification, kept in step by {@code BackoffTests} and an integration test comparing both.
 */
final class Backoff {

  static final double CAP_SECONDS = 3600;
  static final double JITTER = 0.10;

  private Backoff() {}

  /**
   * @param backoffSeconds the job's {@code backoffSeconds}; 0 re-queues at once
   * @param failedAttempt the attempt that failed, 0-based
   * @param jitter a factor in {@code [1 - JITTER, 1 + JITTER]}
   */
  static Duration delay(int backoffSeconds, int failedAttempt, double jitter) {
    if (backoffSeconds <= 0) {
      return Duration.ZERO;
    }
    double base = Math.min(CAP_SECONDS, backoffSeconds * Math.pow(2, failedAttempt));
    double seconds = Math.min(CAP_SECONDS, base * jitter);
    return Duration.ofNanos(Math.round(seconds * 1_000_000_000L));
  }
}
