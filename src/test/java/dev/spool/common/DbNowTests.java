package dev.spool.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DbNowTests {

  @Test
  void theSystemClockLeavesTheTimeToTheDatabase() {
    assertThat(new DbNow(Clock.systemUTC()).now()).isNull();
    assertThat(new DbNow(Clock.system(ZoneId.of("Europe/Paris"))).now()).isNull();
  }

  @Test
  void anyOtherClockBindsItsInstant() {
    Instant at = Instant.parse("2030-01-02T03:04:05.123456Z");

    assertThat(new DbNow(Clock.fixed(at, ZoneOffset.UTC)).now()).isEqualTo(at);
  }
}
