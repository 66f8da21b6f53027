package dev.spool.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AddressThrottleTests {

  final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void anAddressOverItsRateWaitsAndOtherAddressesDoNot() {
    AddressThrottle throttle = new AddressThrottle(2, 100, now::get);
    assertThat(throttle.take("10.0.0.1")).isZero();
    assertThat(throttle.take("10.0.0.1")).isZero();
    assertThat(throttle.retryAfter("10.0.0.1")).isEqualTo(1);
    assertThat(throttle.take("10.0.0.1")).isEqualTo(1);
    assertThat(throttle.retryAfter("10.0.0.2")).isZero();
    assertThat(throttle.take("10.0.0.2")).isZero();

    now.addAndGet(1_000_000_000L);
    assertThat(throttle.retryAfter("10.0.0.1")).isZero();
  }

  @Test
  void retryAfterCountsNothing() {
    AddressThrottle throttle = new AddressThrottle(1, 100, now::get);
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.retryAfter("10.0.0.1")).isZero();
    }
    assertThat(throttle.take("10.0.0.1")).isZero();
  }

  @Test
  void zeroTurnsTheThrottleOff() {
    AddressThrottle throttle = new AddressThrottle(0, 100, now::get);
    for (int i = 0; i < 100; i++) {
      assertThat(throttle.take("10.0.0.1")).isZero();
    }
  }
}
