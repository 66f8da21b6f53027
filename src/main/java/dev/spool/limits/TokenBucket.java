package dev.spool.limits;

/**
 * A token bucket holding at most {@code rate} tokens (one second's worth) and refilled continuously
 * at {@code rate} tokens per second. Time comes in as nanoseconds so tests can drive it; each
 * bucket is used by all request threads of one key, hence synchronized.
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  /** The outcome of one request: allowed or not, and what the RateLimit headers say. */
  public record Decision(
      boolean allowed, int limit, int remaining, long resetSeconds, long retryAfterSeconds) {}

  private final int rate;
  private double tokens;
  private long lastNanos;

  public TokenBucket(int rate, long nowNanos) {
    if (rate <= 0) {
      throw new IllegalArgumentException("rate must be positive");
    }
    this.rate = rate;
    this.tokens = rate;
    this.lastNanos = nowNanos;
  }

  public int rate() {
    return rate;
  }

  public synchronized Decision take(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - lastNanos);
    tokens = Math.min(rate, tokens + elapsed * rate / NANOS_PER_SECOND);
    lastNanos = nowNanos;
    boolean allowed = tokens >= 1;
    if (allowed) {
      tokens -= 1;
    }
    // seconds until the bucket is full again, and (when refused) until one token is back
    long reset = ceilSeconds((rate - tokens) / rate);
    long retryAfter = allowed ? 0 : Math.max(1, ceilSeconds((1 - tokens) / rate));
    return new Decision(allowed, rate, (int) Math.floor(tokens), reset, retryAfter);
  }

  /** 0 when a token is there now, else the whole seconds until one is (without taking it). */
  public synchronized long secondsUntilToken(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - lastNanos);
    double available = Math.min(rate, tokens + elapsed * rate / NANOS_PER_SECOND);
    return available >= 1 ? 0 : Math.max(1, ceilSeconds((1 - available) / rate));
  }

  private static long ceilSeconds(double seconds) {
    // a hair of tolerance so that floating point noise never turns 1.0 into 2
    return (long) Math.ceil(seconds - 1e-9);
  }
}
