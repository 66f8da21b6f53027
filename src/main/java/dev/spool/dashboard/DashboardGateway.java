package dev.spool.dashboard;

import dev.spool.realtime.StreamAuth;
import dev.spool.web.ApiException;
import dev.spool.web.ErrorWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The dashboard's way into the API. {@code /dashboard/api/<rest>} and {@code
 * /dashboard/realtime/<rest>} are authenticated by the session cookie and then continue down the
 * filter chain as the very API request {@code /api/v1/<rest>} (or {@code /api/v1/realtime/<rest>})
 * carrying the session's key in {@code x-api-key} — so the API key filter, rate limiting, scopes,
 * space binding and the realtime handshake apply exactly as to any API client, and the key never
 * has to be in the browser. Only the few routes the dashboard uses are open; state-changing ones
 * need the session's CSRF token. Also sets the security headers of every dashboard response.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 12)
class DashboardGateway extends OncePerRequestFilter {

  static final String API = "/dashboard/api/";
  static final String REALTIME = "/dashboard/realtime/";

  private static final String ID = "[0-9A-Za-z]{1,64}";

  /** method + path (after the prefix) the dashboard may call. */
  private static final List<Pattern> API_ROUTES =
      List.of(
          Pattern.compile("GET spaces"),
          Pattern.compile("GET spaces/" + ID),
          Pattern.compile("GET spaces/" + ID + "/jobs"),
          Pattern.compile("GET spaces/" + ID + "/stats"),
          Pattern.compile("GET jobs/" + ID),
          Pattern.compile("GET jobs/" + ID + "/logs"),
          Pattern.compile("GET jobs/" + ID + "/events"),
          Pattern.compile("GET jobs/" + ID + "/callbacks"),
          Pattern.compile("POST jobs/" + ID + "/kill"),
          Pattern.compile("POST jobs/" + ID + "/retry"));

  private static final List<Pattern> REALTIME_ROUTES =
      List.of(Pattern.compile("GET spaces/" + ID), Pattern.compile("GET " + ID));

  /** Scripts, styles and connections only from Spool itself; never framed. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
          + "frame-ancestors 'none'";

  private final DashboardSessions sessions;
  private final ErrorWriter errors;

  DashboardGateway(DashboardSessions sessions, ErrorWriter errors) {
    this.sessions = sessions;
    this.errors = errors;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    return !(path.equals("/dashboard") || path.startsWith("/dashboard/"));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    response.setHeader("Content-Security-Policy", CSP);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    response.setHeader("X-Frame-Options", "DENY");
    String path = request.getRequestURI();
    boolean api = path.startsWith(API);
    boolean realtime = path.startsWith(REALTIME);
    if (!api && !realtime) {
      chain.doFilter(request, response);
      return;
    }
    String rest = path.substring(api ? API.length() : REALTIME.length());
    try {
      String target = target(request, rest, api);
      Optional<DashboardSessions.Session> session = sessions.find(request);
      if (session.isEmpty()) {
        throw ApiException.unauthorized("Not signed in");
      }
      if (!SameOrigin.allows(request)) {
        throw new ApiException(
            org.springframework.http.HttpStatus.FORBIDDEN,
            "origin",
            "Cross-origin request refused");
      }
      boolean safe = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
      if (!safe
          && !DashboardSessions.csrfMatches(
              session.get(), request.getHeader(DashboardController.CSRF_HEADER))) {
        throw DashboardController.csrfFailure();
      }
      response.setHeader("Cache-Control", "no-store");
      if (realtime) {
        // the stream re-checks this while open: signing out ends it (StreamReauth)
        String cookie = DashboardSessions.cookieValue(request);
        request.setAttribute(
            StreamAuth.SESSION_ALIVE, (BooleanSupplier) () -> sessions.isOpen(cookie));
      }
      chain.doFilter(new GatewayRequest(request, target, session.get().key()), response);
    } catch (ApiException e) {
      errors.write(response, e);
    }
  }

  /** The API path this dashboard path stands for; 404 for anything the dashboard does not use. */
  private static String target(HttpServletRequest request, String rest, boolean api) {
    String route = request.getMethod() + " " + rest;
    List<Pattern> allowed = api ? API_ROUTES : REALTIME_ROUTES;
    if (allowed.stream().noneMatch(p -> p.matcher(route).matches())) {
      throw ApiException.notFound("Dashboard route");
    }
    return (api ? "/api/v1/" : "/api/v1/realtime/") + rest;
  }
}
