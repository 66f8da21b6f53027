package dev.spool.support;

import dev.spool.common.DbNow;
import java.time.Instant;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The shared test context's time: a {@link MovableClock} for the Java side and a {@link DbNow} that
 * binds {@code :now} only while the clock is moved, so that unmoved the statements run exactly as
 * in production (the database's {@code now()}).
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestClock {

  @Bean
  @Primary
  MovableClock movableClock() {
    return new MovableClock();
  }

  @Bean
  @Primary
  DbNow movableDbNow(MovableClock clock) {
    return dbNowOf(clock);
  }

  /** A {@link DbNow} on {@code clock}, for services a test builds itself. */
  public static DbNow dbNowOf(MovableClock clock) {
    return new DbNow(clock) {
      @Override
      public Instant now() {
        return clock.moved() ? clock.instant() : null;
      }
    };
  }
}
