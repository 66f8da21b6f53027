package dev.spool.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Per-key token buckets, in memory only: deciding costs no database round trip (the key's own limit
 * arrives with the cached caller, see space/RateLimitFilter). Each instance limits on its own, so N
 * instances behind a load balancer allow up to N times the limit in total; see docs/operations.md.
 */
@Component
public class RateLimiter {

  /** An idle bucket refills within a second; after this long it is as good as new. */
  private static final Duration IDLE_EXPIRY = Duration.ofMinutes(1);

  private final Cache<String, TokenBucket> buckets;
  private final int defaultPerSecond;
  private final LongSupplier nanoTime;

  @Autowired
  RateLimiter(RateLimitProperties limits) {
    this(limits.rateLimitPerKey(), limits.rateLimitMaxKeys(), System::nanoTime);
  }

  RateLimiter(int defaultPerSecond, long maxKeys, LongSupplier nanoTime) {
    this.defaultPerSecond = defaultPerSecond;
    this.nanoTime = nanoTime;
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(IDLE_EXPIRY).maximumSize(maxKeys).build();
  }

  /** The limit that applies to a key: its own when set, else the default; 0 means unlimited. */
  int limitFor(Integer ownPerSecond) {
    return ownPerSecond != null ? ownPerSecond : defaultPerSecond;
  }

  /**
   * Takes one token for a key whose own limit (null: none set) is {@code ownPerSecond}; null when
   * the key is not limited at all.
   */
  public TokenBucket.Decision take(String keyId, Integer ownPerSecond) {
    int limit = limitFor(ownPerSecond);
    if (limit <= 0) {
      return null;
    }
    long now = nanoTime.getAsLong();
    TokenBucket bucket = buckets.get(keyId, k -> new TokenBucket(limit, now));
    if (bucket.rate() != limit) {
      // the key's limit was changed through the admin API: start over at the new rate
      TokenBucket fresh = new TokenBucket(limit, now);
      buckets.asMap().replace(keyId, bucket, fresh);
      bucket = buckets.get(keyId, k -> fresh);
    }
    return bucket.take(now);
  }
}
