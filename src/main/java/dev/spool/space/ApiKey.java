package dev.spool.space;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A stored API key: only its SHA-256 hash and a display prefix, never the key itself. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

  @Id private String id;

  @Column(name = "space_id")
  private String spaceId;

  @Column(nullable = false)
  private String name;

  @Column(name = "key_hash", nullable = false)
  private String keyHash;

  @Column(nullable = false)
  private String prefix;

  @Column(nullable = false)
  private String[] scopes;

  @Column(name = "rate_limit_per_second")
  private Integer rateLimitPerSecond;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "revoked_at")
  private Instant revokedAt;

  protected ApiKey() {}

  ApiKey(
      String id,
      String spaceId,
      String name,
      String keyHash,
      String prefix,
      String[] scopes,
      Instant now) {
    this.id = id;
    this.spaceId = spaceId;
    this.name = name;
    this.keyHash = keyHash;
    this.prefix = prefix;
    this.scopes = scopes;
    this.createdAt = now;
  }

  public String getId() {
    return id;
  }

  public String getSpaceId() {
    return spaceId;
  }

  public String getName() {
    return name;
  }

  public String getPrefix() {
    return prefix;
  }

  public String[] getScopes() {
    return scopes;
  }

  public Integer getRateLimitPerSecond() {
    return rateLimitPerSecond;
  }

  public Instant getCreatedAt() {
    return createdAt;
  }

  public Instant getRevokedAt() {
    return revokedAt;
  }

  boolean isRevoked() {
    return revokedAt != null;
  }

  void revoke(Instant now) {
    if (revokedAt == null) {
      revokedAt = now;
    }
  }

  void limitRate(Integer perSecond) {
    this.rateLimitPerSecond = perSecond;
  }
}
