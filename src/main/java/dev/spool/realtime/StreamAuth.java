package dev.spool.realtime;

import dev.spool.space.ApiKeys;
import dev.spool.space.Caller;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.springframework.web.socket.CloseStatus;

/**
 * What an open stream was authorized with, so it can be authorized again while it stays open: a key
 * revoked (or a dashboard session signed out) must not keep receiving a space's events. A
 * token-less progress view has nothing to re-check.
 */
public final class StreamAuth {

  /**
   * Request attribute the dashboard gateway sets on a realtime upgrade: a {@link BooleanSupplier}
   * that turns false once the dashboard session behind the upgrade has ended.
   */
  public static final String SESSION_ALIVE = "spool.realtime.sessionAlive";

  /** Session attribute holding the stream's {@link StreamAuth}. */
  static final String ATTRIBUTE = "spool.streamAuth";

  static final CloseStatus REVOKED = new CloseStatus(4401, "API key revoked");
  static final CloseStatus SIGNED_OUT = new CloseStatus(4401, "Signed out");
  static final CloseStatus NOT_ALLOWED =
      CloseStatus.POLICY_VIOLATION.withReason("API key no longer allowed");

  private final String presentedKey;
  private final String spaceId;
  private final String scope;
  private final BooleanSupplier sessionAlive;

  /**
   * @param presentedKey the key as presented at the upgrade (never logged)
   * @param spaceId the space whose events the stream carries
   * @param scope the scope the stream was opened with
   * @param sessionAlive the dashboard session check, or null outside the dashboard
   */
  StreamAuth(String presentedKey, String spaceId, String scope, BooleanSupplier sessionAlive) {
    this.presentedKey = presentedKey;
    this.spaceId = spaceId;
    this.scope = scope;
    this.sessionAlive = sessionAlive;
  }

  /**
   * Empty while the stream may stay open, else the status to close it with. Throws when the key
   * cannot be checked right now (the database is down): the stream then stays open until the next
   * check, as a REST call with a cached key would still be answered.
   */
  Optional<CloseStatus> recheck(ApiKeys keys) {
    if (sessionAlive != null && !sessionAlive.getAsBoolean()) {
      return Optional.of(SIGNED_OUT);
    }
    Optional<Caller> caller = keys.resolve(presentedKey);
    if (caller.isEmpty()) {
      return Optional.of(REVOKED);
    }
    if (!caller.get().has(scope) || !caller.get().canAccess(spaceId)) {
      return Optional.of(NOT_ALLOWED);
    }
    return Optional.empty();
  }

  /** Never prints the key (a record would). */
  @Override
  public String toString() {
    return "StreamAuth[space=" + spaceId + ", scope=" + scope + "]";
  }
}
