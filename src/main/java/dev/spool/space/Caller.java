package dev.spool.space;

import dev.spool.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;

/**
 * Who is calling: the resolved API key. Put on the request by {@link ApiKeyFilter}; endpoints ask
 * it for the scope they need and for access to the space they touch.
 *
 * @param keyId the key's id
 * @param spaceId the space the key is bound to; null for an admin key
 * @param scopes the expanded scopes
 * @param rateLimitPerSecond the key's own rate limit, or null for the configured default
 */
public record Caller(String keyId, String spaceId, Set<String> scopes, Integer rateLimitPerSecond) {

  public static final String ATTRIBUTE = Caller.class.getName();

  public static Caller of(HttpServletRequest request) {
    Caller caller = (Caller) request.getAttribute(ATTRIBUTE);
    if (caller == null) {
      throw ApiException.unauthorized("Missing API key");
    }
    return caller;
  }

  public boolean isAdmin() {
    return scopes.contains(Scopes.ADMIN);
  }

  public boolean has(String scope) {
    return isAdmin() || scopes.contains(scope);
  }

  /** 403 {@code Missing required scope: <scope>} unless the key has it. */
  public Caller require(String scope) {
    if (!has(scope)) {
      throw ApiException.missingScope(scope);
    }
    return this;
  }

  /** Passes when the key has any of the scopes; the 403 names the first. */
  public Caller requireAny(String... anyOf) {
    for (String scope : anyOf) {
      if (has(scope)) {
        return this;
      }
    }
    throw ApiException.missingScope(anyOf[0]);
  }

  public boolean canAccess(String space) {
    return isAdmin() || (spaceId != null && spaceId.equals(space));
  }

  /** 403 {@code API key cannot access this space} when bound to another space. */
  public Caller requireSpace(String space) {
    if (!canAccess(space)) {
      throw ApiException.wrongSpace();
    }
    return this;
  }
}
