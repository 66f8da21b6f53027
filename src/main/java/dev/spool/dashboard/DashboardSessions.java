package dev.spool.dashboard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Server-side dashboard sessions: the browser holds only a random session id in an HttpOnly cookie;
 * the API key it was exchanged for stays here, in memory, and is never sent back. The map is keyed
 * by the id's SHA-256 so a heap dump does not hand out live cookies. Sessions are per instance:
 * several instances behind a balancer need sticky sessions (docs/dashboard.md).
 */
@Component
class DashboardSessions {

  static final String COOKIE = "spool_dashboard";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One signed-in browser: the key it signed in with and its CSRF token. */
  record Session(String key, String csrfToken, Instant expiresAt) {
    /** Never prints the key or the token (records would). */
    @Override
    public String toString() {
      return "Session[expiresAt=" + expiresAt + "]";
    }
  }

  private final Cache<String, Session> sessions;
  private final DashboardProperties properties;
  private final Clock clock;

  DashboardSessions(DashboardProperties properties, Clock clock) {
    this.properties = properties;
    this.clock = clock;
    this.sessions =
        Caffeine.newBuilder()
            .expireAfterAccess(properties.sessionIdleTimeout())
            .maximumSize(properties.maxSessions())
            .build();
  }

  /** Starts a session for a verified key; returns the cookie value. */
  String open(String key) {
    endOldestBeyondCap(key);
    String id = random();
    sessions.put(
        hash(id), new Session(key, random(), clock.instant().plus(properties.sessionMaxAge())));
    return id;
  }

  /**
   * Makes room for one more session of {@code key} within {@code maxSessionsPerKey} by ending its
   * oldest ones. A scan of this instance's sessions (at most {@code maxSessions}, in memory) on
   * each sign-in, which are throttled per address; two sign-ins racing may leave one extra.
   */
  private void endOldestBeyondCap(String key) {
    List<Map.Entry<String, Session>> mine =
        sessions.asMap().entrySet().stream()
            .filter(e -> e.getValue().key().equals(key))
            .sorted(Comparator.comparing(e -> e.getValue().expiresAt()))
            .toList();
    for (int i = 0; i <= mine.size() - properties.maxSessionsPerKey(); i++) {
      sessions.invalidate(mine.get(i).getKey());
    }
  }

  Optional<Session> find(String cookieValue) {
    if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 100) {
      return Optional.empty();
    }
    String hashed = hash(cookieValue);
    Session session = sessions.getIfPresent(hashed);
    if (session != null && !clock.instant().isBefore(session.expiresAt())) {
      sessions.invalidate(hashed);
      return Optional.empty();
    }
    return Optional.ofNullable(session);
  }

  /**
   * Whether the session is still signed in, without counting as activity (an open stream alone does
   * not keep a session from idling out). Used by streams opened through the gateway.
   */
  boolean isOpen(String cookieValue) {
    if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 100) {
      return false;
    }
    Session session = sessions.policy().getIfPresentQuietly(hash(cookieValue));
    return session != null && clock.instant().isBefore(session.expiresAt());
  }

  /** The session cookie's value on this request; null when absent. */
  static String cookieValue(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies != null) {
      for (Cookie cookie : cookies) {
        if (COOKIE.equals(cookie.getName())) {
          return cookie.getValue();
        }
      }
    }
    return null;
  }

  Optional<Session> find(HttpServletRequest request) {
    return find(cookieValue(request));
  }

  void close(String cookieValue) {
    if (cookieValue != null) {
      sessions.invalidate(hash(cookieValue));
    }
  }

  /** Constant-time comparison of a presented CSRF token with the session's. */
  static boolean csrfMatches(Session session, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            session.csrfToken().getBytes(StandardCharsets.UTF_8),
            presented.getBytes(StandardCharsets.UTF_8));
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String hash(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
