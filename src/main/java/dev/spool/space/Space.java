package dev.spool.space;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A space: an isolated queue with its own keys, jobs and notification settings. */
@Entity
@Table(name = "spaces")
public class Space {

  @Id private String id;

  @Column(nullable = false)
  private String name;

  @Column(name = "public_key", nullable = false)
  private String publicKey;

  @Column(name = "signing_secret")
  private String signingSecret;

  @Column(name = "previous_signing_secret")
  private String previousSigningSecret;

  @Column(name = "previous_secret_expires_at")
  private Instant previousSecretExpiresAt;

  @Column(name = "push_url")
  private String pushUrl;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "push_headers")
  private Map<String, String> pushHeaders;

  @Column(name = "push_names")
  private String[] pushNames;

  @Column(name = "slack_url")
  private String slackUrl;

  @Column(name = "slack_events")
  private String[] slackEvents;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected Space() {}

  Space(String id, String name, String publicKey, Instant now) {
    this.id = id;
    this.name = name;
    this.publicKey = publicKey;
    this.createdAt = now;
    this.updatedAt = now;
  }

  public String getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getPublicKey() {
    return publicKey;
  }

  public String getSigningSecret() {
    return signingSecret;
  }

  public String getPreviousSigningSecret() {
    return previousSigningSecret;
  }

  public Instant getPreviousSecretExpiresAt() {
    return previousSecretExpiresAt;
  }

  public String getPushUrl() {
    return pushUrl;
  }

  public Map<String, String> getPushHeaders() {
    return pushHeaders;
  }

  public String[] getPushNames() {
    return pushNames;
  }

  public String getSlackUrl() {
    return slackUrl;
  }

  public String[] getSlackEvents() {
    return slackEvents;
  }

  public Instant getCreatedAt() {
    return createdAt;
  }

  void rename(String newName, Instant now) {
    this.name = newName;
    this.updatedAt = now;
  }

  /** Sets a new signing secret; the previous one keeps signing until {@code previousUntil}. */
  void rotateSigningSecret(String secret, Instant previousUntil, Instant now) {
    this.previousSigningSecret = this.signingSecret;
    this.previousSecretExpiresAt = this.signingSecret == null ? null : previousUntil;
    this.signingSecret = secret;
    this.updatedAt = now;
  }

  void configurePush(String url, Map<String, String> headers, String[] names, Instant now) {
    this.pushUrl = url;
    this.pushHeaders = headers;
    this.pushNames = names;
    this.updatedAt = now;
  }

  void configureSlack(String url, String[] events, Instant now) {
    this.slackUrl = url;
    this.slackEvents = events;
    this.updatedAt = now;
  }
}
