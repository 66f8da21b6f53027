package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTests {

  static final List<Duration> DEFAULT =
      List.of(
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2),
          Duration.ofMinutes(10),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(3),
          Duration.ofHours(6));
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void followsTheScheduleThenGivesUp() {
    RetrySchedule s = new RetrySchedule(DEFAULT, 0.1, Duration.ofHours(6), () -> 0.5);
    assertThat(s.after(0, 500, null, NOW)).contains(Duration.ofSeconds(10));
    assertThat(s.after(7, null, null, NOW)).contains(Duration.ofHours(6));
    assertThat(s.after(8, 500, null, NOW)).isEmpty();
  }

  @Test
  void jitterStaysWithinItsFraction() {
    RetrySchedule low = new RetrySchedule(DEFAULT, 0.1, Duration.ofHours(6), () -> 0.0);
    RetrySchedule high = new RetrySchedule(DEFAULT, 0.1, Duration.ofHours(6), () -> 0.999999);
    assertThat(low.after(1, 500, null, NOW)).contains(Duration.ofSeconds(27));
    assertThat(high.after(1, 500, null, NOW).orElseThrow())
        .isBetween(Duration.ofSeconds(32), Duration.ofSeconds(33));
  }

  @Test
  void retryAfterIsHonouredOnlyOn429And503AndCapped() {
    RetrySchedule s = new RetrySchedule(DEFAULT, 0, Duration.ofHours(1), () -> 0.5);
    assertThat(s.after(0, 429, "120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(s.after(0, 503, "Thu, 01 Jan 2026 00:05:00 GMT", NOW))
        .contains(Duration.ofMinutes(5));
    assertThat(s.after(0, 500, "120", NOW)).contains(Duration.ofSeconds(10));
    assertThat(s.after(0, 429, "1", NOW))
        .contains(Duration.ofSeconds(10)); // never sooner than the schedule
    assertThat(s.after(0, 429, "999999", NOW)).contains(Duration.ofHours(1));
    assertThat(s.after(0, 429, "soon", NOW)).contains(Duration.ofSeconds(10));
  }
}
