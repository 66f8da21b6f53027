package dev.spool.space;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.spool.limits.AddressThrottles;
import dev.spool.web.TooManyAttempts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues keys and resolves presented keys to a {@link Caller}. Resolution is cached for {@code
 * spool.keys.cache-ttl} (unknown keys too, so a flood of bad keys does not reach the database); a
 * revoked key therefore stops working within that time on every instance.
 */
@Component
public class ApiKeys {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int DISPLAY_PREFIX_CHARS = 8;

  /**
   * The shortest secret part a key may have (an admin key chosen by the operator; see Bootstrap).
   */
  static final int MIN_SECRET_CHARS = 16;

  private static final int MAX_KEY_CHARS = 512;

  private final ApiKeyRepository keys;
  private final KeyProperties properties;
  private final Clock clock;
  private final Cache<String, Optional<Caller>> cache;
  private final AddressThrottles throttles;

  ApiKeys(
      ApiKeyRepository keys, KeyProperties properties, Clock clock, AddressThrottles throttles) {
    this.keys = keys;
    this.throttles = throttles;
    this.properties = properties;
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder()
            .expireAfterWrite(properties.cacheTtl())
            .maximumSize(properties.cacheSize())
            .build();
  }

  /** A new random key: the prefix plus 40 url-safe characters (240 bits). */
  String generate() {
    byte[] bytes = new byte[30];
    RANDOM.nextBytes(bytes);
    return properties.prefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  String prefix() {
    return properties.prefix();
  }

  static String hash(String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stores a key (hash and display prefix only) and returns the entity. */
  @Transactional
  ApiKey store(String spaceId, String name, String plainKey, List<String> expandedScopes) {
    String displayPrefix =
        plainKey.substring(
            0, Math.min(plainKey.length(), properties.prefix().length() + DISPLAY_PREFIX_CHARS));
    ApiKey key =
        new ApiKey(
            dev.spool.common.Ids.next(),
            spaceId,
            name,
            hash(plainKey),
            displayPrefix,
            expandedScopes.toArray(String[]::new),
            clock.instant());
    return keys.save(key);
  }

  /**
   * The caller a key stands for; empty when unknown or revoked. For keys the service holds itself
   * (a dashboard session's); a key a client presents goes through {@link #resolve(String, String)}.
   */
  public Optional<Caller> resolve(String presented) {
    if (!plausible(presented)) {
      return Optional.empty();
    }
    String hash = hash(presented);
    return cache.get(hash, this::load);
  }

  /**
   * The caller a key presented by a client at {@code address} stands for. A key this instance
   * resolved recently is answered from the cache; otherwise the lookup reaches the database, and
   * one that finds no valid key counts against the address's failed-authentication throttle. An
   * address over it gets no more lookups until it recovers: {@link TooManyAttempts} (429).
   */
  public Optional<Caller> resolve(String presented, String address) {
    if (!plausible(presented)) {
      return Optional.empty();
    }
    String hash = hash(presented);
    Optional<Caller> cached = cache.getIfPresent(hash);
    if (cached != null) {
      return cached;
    }
    long wait = throttles.failedAuth().retryAfter(address);
    if (wait > 0) {
      throw new TooManyAttempts("Too many failed authentication attempts", wait);
    }
    Optional<Caller> caller = cache.get(hash, this::load);
    if (caller.isEmpty()) {
      throttles.failedAuth().take(address);
    }
    return caller;
  }

  /**
   * Whether a presented value could be a key at all, decided without the database: it must carry
   * the configured prefix and be as long as a key can be — {@link #generate} makes the prefix plus
   * 40 characters, an operator-chosen admin key has at least 16 after the prefix ({@link
   * Bootstrap}). Random strings of a flood fail here and never cost a query.
   */
  public boolean plausible(String presented) {
    int prefix = properties.prefix().length();
    return presented != null
        && presented.length() >= prefix + MIN_SECRET_CHARS
        && presented.length() <= MAX_KEY_CHARS
        && presented.startsWith(properties.prefix());
  }

  private Optional<Caller> load(String hash) {
    return keys.findByKeyHash(hash)
        .filter(k -> !k.isRevoked())
        .map(
            k ->
                new Caller(
                    k.getId(), k.getSpaceId(), Set.of(k.getScopes()), k.getRateLimitPerSecond()));
  }

  /** Forgets cached resolutions on this instance (others expire within the TTL). */
  void invalidateAll() {
    cache.invalidateAll();
  }
}
