package dev.spool.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A per-client-address token bucket, in memory, for things that cost the service more than they
 * cost the client: failed authentications (each a key lookup in the database), WebSocket upgrades,
 * dashboard sign-ins. One class, one instance per use ({@link AddressThrottles}).
 *
 * <p>The address is the connection's peer as the servlet container reports it: behind a reverse
 * proxy that is the proxy unless forwarded headers are trusted ({@code
 * server.forward-headers-strategy}; docs/operations.md).
 */
public final class AddressThrottle {

  /** An idle bucket refills within a second; after this long it is as good as new. */
  private static final Duration IDLE_EXPIRY = Duration.ofMinutes(1);

  private final int perSecond;
  private final LongSupplier nanoTime;
  private final Cache<String, TokenBucket> buckets;

  /**
   * @param perSecond events per second per address (a bucket holds one second's worth); 0 turns the
   *     throttle off
   */
  AddressThrottle(int perSecond, long maxAddresses, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(IDLE_EXPIRY).maximumSize(maxAddresses).build();
  }

  /**
   * Counts one event from {@code address}: 0 when allowed, else the seconds after which the next
   * one would be ({@code Retry-After}).
   */
  public long take(String address) {
    if (perSecond <= 0) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    TokenBucket.Decision d =
        buckets.get(key(address), a -> new TokenBucket(perSecond, now)).take(now);
    return d.allowed() ? 0 : d.retryAfterSeconds();
  }

  /**
   * Without counting anything: 0 when {@code address} may go on, else the seconds until it may (its
   * bucket is empty).
   */
  public long retryAfter(String address) {
    if (perSecond <= 0) {
      return 0;
    }
    TokenBucket bucket = buckets.getIfPresent(key(address));
    return bucket == null ? 0 : bucket.secondsUntilToken(nanoTime.getAsLong());
  }

  private static String key(String address) {
    return address == null ? "" : address;
  }
}
