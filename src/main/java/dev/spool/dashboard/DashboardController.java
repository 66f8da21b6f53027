package dev.spool.dashboard;

import dev.spool.limits.AddressThrottles;
import dev.spool.space.ApiKeys;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.space.Spaces;
import dev.spool.web.ApiException;
import dev.spool.web.TooManyAttempts;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's page and its session: a sign-in form POST exchanges an API key for an HttpOnly,
 * SameSite=Strict cookie; the page asks who it is signed in as (and gets its CSRF token); sign-out
 * needs that token. The key itself never goes back to the browser.
 */
@RestController
class DashboardController {

  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String HOME = "/dashboard/";

  private final DashboardSessions sessions;
  private final ApiKeys keys;
  private final AddressThrottles throttles;
  private final Spaces spaces;

  DashboardController(
      DashboardSessions sessions, ApiKeys keys, AddressThrottles throttles, Spaces spaces) {
    this.spaces = spaces;
    this.sessions = sessions;
    this.keys = keys;
    this.throttles = throttles;
  }

  @GetMapping("/dashboard")
  ResponseEntity<Void> redirectHome() {
    return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY).location(URI.create(HOME)).build();
  }

  @GetMapping(HOME)
  ResponseEntity<Resource> page() {
    return ResponseEntity.ok()
        .contentType(MediaType.TEXT_HTML)
        .cacheControl(CacheControl.noCache())
        .body(new ClassPathResource("static/dashboard/index.html"));
  }

  /** The sign-in form's target; answers with a redirect either way (Post/Redirect/Get). */
  @PostMapping(value = "/dashboard/session", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  ResponseEntity<Void> signIn(HttpServletRequest request) {
    if (!SameOrigin.allows(request)) {
      return home("?signin=origin", null);
    }
    long wait = throttles.signIns().take(request.getRemoteAddr());
    if (wait > 0) {
      throw new TooManyAttempts("Too many sign-in attempts", wait);
    }
    String key = request.getParameter("key");
    Optional<Caller> caller =
        keys.resolve(key == null ? null : key.trim(), request.getRemoteAddr());
    if (caller.isEmpty()) {
      return home("?signin=invalid", null);
    }
    if (!caller.get().has(Scopes.JOBS_READ)) {
      return home("?signin=scope", null);
    }
    sessions.close(DashboardSessions.cookieValue(request));
    String id = sessions.open(key.trim());
    return home("", cookie(request, id, null));
  }

  /** Who the session is signed in as, what it may do, and the CSRF token for its actions. */
  record SessionView(
      String keyId,
      String spaceId,
      String spaceName,
      boolean admin,
      boolean canKill,
      List<String> scopes,
      String csrfToken) {}

  @GetMapping("/dashboard/session")
  ResponseEntity<SessionView> session(HttpServletRequest request) {
    DashboardSessions.Session session =
        sessions.find(request).orElseThrow(() -> ApiException.unauthorized("Not signed in"));
    Caller caller =
        keys.resolve(session.key())
            .orElseThrow(() -> ApiException.unauthorized("The API key was revoked"));
    SessionView view =
        new SessionView(
            caller.keyId(),
            caller.spaceId(),
            caller.spaceId() == null ? null : spaces.get(caller.spaceId()).getName(),
            caller.isAdmin(),
            caller.has(Scopes.JOBS_KILL),
            caller.scopes().stream().sorted().toList(),
            session.csrfToken());
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(view);
  }

  @PostMapping("/dashboard/session/sign-out")
  ResponseEntity<Void> signOut(HttpServletRequest request) {
    String id = DashboardSessions.cookieValue(request);
    DashboardSessions.Session session =
        sessions.find(id).orElseThrow(() -> ApiException.unauthorized("Not signed in"));
    if (!DashboardSessions.csrfMatches(session, request.getHeader(CSRF_HEADER))) {
      throw csrfFailure();
    }
    sessions.close(id);
    return ResponseEntity.noContent()
        .header(HttpHeaders.SET_COOKIE, cookie(request, "", java.time.Duration.ZERO).toString())
        .build();
  }

  static ApiException csrfFailure() {
    return new ApiException(HttpStatus.FORBIDDEN, "csrf", "Missing or wrong CSRF token");
  }

  private static ResponseEntity<Void> home(String query, ResponseCookie cookie) {
    ResponseEntity.HeadersBuilder<?> response =
        ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(HOME + query));
    if (cookie != null) {
      response.header(HttpHeaders.SET_COOKIE, cookie.toString());
    }
    return response.build();
  }

  /** HttpOnly, SameSite=Strict, scoped to the dashboard, Secure when the page came over https. */
  private static ResponseCookie cookie(
      HttpServletRequest request, String value, java.time.Duration maxAge) {
    ResponseCookie.ResponseCookieBuilder cookie =
        ResponseCookie.from(DashboardSessions.COOKIE, value)
            .httpOnly(true)
            .sameSite("Strict")
            .secure(request.isSecure())
            .path("/dashboard");
    if (maxAge != null) {
      cookie.maxAge(maxAge);
    }
    return cookie.build();
  }
}
