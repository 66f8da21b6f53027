package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTests {

  @Test
  void zeroBackoffRequeuesAtOnce() {
    assertThat(Backoff.delay(0, 5, 1.1)).isEqualTo(Duration.ZERO);
  }

  @Test
  void theDelayDoublesWithEachFailedAttempt() {
    assertThat(Backoff.delay(10, 0, 1.0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(Backoff.delay(10, 1, 1.0)).isEqualTo(Duration.ofSeconds(20));
    assertThat(Backoff.delay(10, 3, 1.0)).isEqualTo(Duration.ofSeconds(80));
  }

  @Test
  void jitterMovesTheDelayByAtMostTenPercent() {
    assertThat(Backoff.delay(100, 0, 0.9)).isEqualTo(Duration.ofSeconds(90));
    assertThat(Backoff.delay(100, 0, 1.1)).isEqualTo(Duration.ofSeconds(110));
  }

  @Test
  void theDelayIsCappedAtOneHourEvenWithJitter() {
    assertThat(Backoff.delay(3600, 0, 1.1)).isEqualTo(Duration.ofHours(1));
    assertThat(Backoff.delay(1, 25, 1.0)).isEqualTo(Duration.ofHours(1));
    assertThat(Backoff.delay(3600, 25, 0.9)).isEqualTo(Duration.ofSeconds(3240));
  }
}
