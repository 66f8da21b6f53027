package dev.spool.callback;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed callback is tried again: the configured delays in order (± jitter), then never. A
 * 429 or 503 with {@code Retry-After} waits at least that long (up to a cap).
 */
final class RetrySchedule {

  private final List<Duration> delays;
  private final double jitter;
  private final Duration retryAfterCap;
  private final DoubleSupplier random;

  RetrySchedule(
      List<Duration> delays, double jitter, Duration retryAfterCap, DoubleSupplier random) {
    this.delays = List.copyOf(delays);
    this.jitter = jitter;
    this.retryAfterCap = retryAfterCap;
    this.random = random;
  }

  /**
   * The wait before the next attempt after attempt {@code retryAttempt} (0 = the first try) failed,
   * or empty when that was the last one.
   *
   * @param statusCode the response status, or null when there was no response
   * @param retryAfter the response's {@code Retry-After} header, or null
   */
  Optional<Duration> after(int retryAttempt, Integer statusCode, String retryAfter, Instant now) {
    if (retryAttempt >= delays.size()) {
      return Optional.empty();
    }
    Duration base = delays.get(retryAttempt);
    long millis = base.toMillis();
    long spread = (long) (millis * jitter * (random.getAsDouble() * 2 - 1));
    Duration delay = Duration.ofMillis(Math.max(0, millis + spread));
    if (statusCode != null && (statusCode == 429 || statusCode == 503)) {
      Optional<Duration> asked = parseRetryAfter(retryAfter, now);
      if (asked.isPresent()) {
        Duration capped = asked.get().compareTo(retryAfterCap) > 0 ? retryAfterCap : asked.get();
        if (capped.compareTo(delay) > 0) {
          delay = capped;
        }
      }
    }
    return Optional.of(delay);
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; empty when absent or unreadable. */
  static Optional<Duration> parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException e) {
        return Optional.empty(); // absurdly large: ignore rather than wait forever
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
