package dev.spool.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.space.Caller;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  private static Caller key(String id, Integer own) {
    return new Caller(id, "space", Set.of("jobs:read"), own);
  }

  @Test
  void aFullBucketLetsOneSecondsWorthThroughThenRefuses() {
    RateLimiter limiter = new RateLimiter(5, 100, now::get);
    for (int i = 0; i < 5; i++) {
      TokenBucket.Decision d = limiter.take(key("k", null));
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(4 - i);
      assertThat(d.limit()).isEqualTo(5);
    }
    TokenBucket.Decision refused = limiter.take(key("k", null));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.resetSeconds()).isEqualTo(1);
  }

  @Test
  void tokensComeBackContinuously() {
    RateLimiter limiter = new RateLimiter(10, 100, now::get);
    for (int i = 0; i < 10; i++) {
      limiter.take(key("k", null));
    }
    assertThat(limiter.take(key("k", null)).allowed()).isFalse();
    now.addAndGet(SECOND / 10 + 1);
    assertThat(limiter.take(key("k", null)).allowed()).isTrue();
    assertThat(limiter.take(key("k", null)).allowed()).isFalse();
    now.addAndGet(5 * SECOND);
    assertThat(limiter.take(key("k", null)).remaining()).isEqualTo(9);
  }

  @Test
  void aSlowRateAsksToComeBackLater() {
    RateLimiter limiter = new RateLimiter(1000, 100, now::get);
    Caller slow = key("slow", 1);
    assertThat(limiter.take(slow).allowed()).isTrue();
    now.addAndGet(SECOND / 4);
    TokenBucket.Decision d = limiter.take(slow);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void keysHaveSeparateBuckets() {
    RateLimiter limiter = new RateLimiter(1, 100, now::get);
    assertThat(limiter.take(key("a", null)).allowed()).isTrue();
    assertThat(limiter.take(key("a", null)).allowed()).isFalse();
    assertThat(limiter.take(key("b", null)).allowed()).isTrue();
  }

  @Test
  void aKeysOwnLimitWinsOverTheDefaultAndAChangeStartsAFreshBucket() {
    RateLimiter limiter = new RateLimiter(1, 100, now::get);
    assertThat(limiter.take(key("a", null)).allowed()).isTrue();
    assertThat(limiter.take(key("a", null)).allowed()).isFalse();
    TokenBucket.Decision raised = limiter.take(key("a", 3));
    assertThat(raised.allowed()).isTrue();
    assertThat(raised.limit()).isEqualTo(3);
    assertThat(raised.remaining()).isEqualTo(2);
  }

  @Test
  void zeroMeansUnlimitedForTheDefaultAndForAKey() {
    RateLimiter off = new RateLimiter(0, 100, now::get);
    assertThat(off.take(key("a", null))).isNull();
    assertThat(off.take(key("b", 2)).limit()).isEqualTo(2);
    RateLimiter on = new RateLimiter(5, 100, now::get);
    assertThat(on.take(key("c", 0))).isNull();
  }
}
