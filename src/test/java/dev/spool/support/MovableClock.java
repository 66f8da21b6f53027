package dev.spool.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock plus an offset a test moves forward ({@link #advance}) instead of sleeping. The
 * shared test context runs on one (see {@link TestClock}); {@link IntegrationTest} resets it after
 * every test. Unmoved, statements keep the database's own {@code now()} (see {@code DbNow}), as in
 * production; moved, they compare with this clock's instant.
 */
public final class MovableClock extends Clock {

  private volatile Duration offset = Duration.ZERO;

  /** Moves the clock forward by {@code step}. */
  public void advance(Duration step) {
    offset = offset.plus(step);
  }

  /** Back to the system clock. */
  public void reset() {
    offset = Duration.ZERO;
  }

  public boolean moved() {
    return !offset.isZero();
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the test clock is UTC");
  }
}
