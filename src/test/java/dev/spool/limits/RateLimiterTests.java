package dev.spool.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  @Test
  void aFullBucketLetsOneSecondsWorthThroughThenRefuses() {
    RateLimiter limiter = new RateLimiter(5, 100, now::get);
    for (int i = 0; i < 5; i++) {
      TokenBucket.Decision d = limiter.take("k", null);
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(4 - i);
      assertThat(d.limit()).isEqualTo(5);
    }
    TokenBucket.Decision refused = limiter.take("k", null);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.resetSeconds()).isEqualTo(1);
  }

  @Test
  void tokensComeBackContinuously() {
    RateLimiter limiter = new RateLimiter(10, 100, now::get);
    for (int i = 0; i < 10; i++) {
      limiter.take("k", null);
    }
    assertThat(limiter.take("k", null).allowed()).isFalse();
    now.addAndGet(SECOND / 10 + 1);
    assertThat(limiter.take("k", null).allowed()).isTrue();
    assertThat(limiter.take("k", null).allowed()).isFalse();
    now.addAndGet(5 * SECOND);
    assertThat(limiter.take("k", null).remaining()).isEqualTo(9);
  }

  @Test
  void aSlowRateAsksToComeBackLater() {
    RateLimiter limiter = new RateLimiter(1000, 100, now::get);
    assertThat(limiter.take("slow", 1).allowed()).isTrue();
    now.addAndGet(SECOND / 4);
    TokenBucket.Decision d = limiter.take("slow", 1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void keysHaveSeparateBuckets() {
    RateLimiter limiter = new RateLimiter(1, 100, now::get);
    assertThat(limiter.take("a", null).allowed()).isTrue();
    assertThat(limiter.take("a", null).allowed()).isFalse();
    assertThat(limiter.take("b", null).allowed()).isTrue();
  }

  @Test
  void aKeysOwnLimitWinsOverTheDefaultAndAChangeStartsAFreshBucket() {
    RateLimiter limiter = new RateLimiter(1, 100, now::get);
    assertThat(limiter.take("a", null).allowed()).isTrue();
    assertThat(limiter.take("a", null).allowed()).isFalse();
    TokenBucket.Decision raised = limiter.take("a", 3);
    assertThat(raised.allowed()).isTrue();
    assertThat(raised.limit()).isEqualTo(3);
    assertThat(raised.remaining()).isEqualTo(2);
  }

  @Test
  void zeroMeansUnlimitedForTheDefaultAndForAKey() {
    RateLimiter off = new RateLimiter(0, 100, now::get);
    assertThat(off.take("a", null)).isNull();
    assertThat(off.take("b", 2).limit()).isEqualTo(2);
    RateLimiter on = new RateLimiter(5, 100, now::get);
    assertThat(on.take("c", 0)).isNull();
  }
}
