package dev.spool.space;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

  private final ApiKeyRepository keys;
  private final KeyProperties properties;
  private final Clock clock;
  private final Cache<String, Optional<Caller>> cache;

  ApiKeys(ApiKeyRepository keys, KeyProperties properties, Clock clock) {
    this.keys = keys;
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
            dev.spool.system.Ids.next(),
            spaceId,
            name,
            hash(plainKey),
            displayPrefix,
            expandedScopes.toArray(String[]::new),
            clock.instant());
    return keys.save(key);
  }

  /** The caller a presented key stands for; empty when unknown or revoked. */
  public Optional<Caller> resolve(String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > 512) {
      return Optional.empty();
    }
    String hash = hash(presented);
    return cache.get(hash, this::load);
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
