package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DashboardSessionsTests {

  /** A clock the test moves by hand. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MovingClock clock = new MovingClock();
  final DashboardSessions sessions =
      new DashboardSessions(
          new DashboardProperties(Duration.ofHours(8), Duration.ofHours(24), 100, 2), clock);

  @Test
  void aKeySigningInPastItsCapEndsItsOwnOldestSessionAndNoOneElses() {
    String other = sessions.open("emit_other-key-aaaaaaaaaaaaaaaaaaaa");
    String first = sessions.open("emit_busy-key-bbbbbbbbbbbbbbbbbbbbb");
    clock.now = clock.now.plusSeconds(1);
    String second = sessions.open("emit_busy-key-bbbbbbbbbbbbbbbbbbbbb");
    clock.now = clock.now.plusSeconds(1);
    String third = sessions.open("emit_busy-key-bbbbbbbbbbbbbbbbbbbbb");

    assertThat(sessions.find(first)).isEmpty();
    assertThat(sessions.find(second)).isPresent();
    assertThat(sessions.find(third)).isPresent();
    assertThat(sessions.find(other)).isPresent();
  }
}
