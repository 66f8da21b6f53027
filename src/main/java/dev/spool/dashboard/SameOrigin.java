package dev.spool.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;

/**
 * The Origin check for the dashboard's cookie-authenticated requests. SameSite=Strict already keeps
 * the cookie off cross-site requests; this also refuses a cross-site sign-in form (login CSRF) and
 * a cross-site WebSocket, which browsers always send with an Origin.
 */
final class SameOrigin {

  private SameOrigin() {}

  /**
   * True when the request has no Origin (not a browser cross-site request) or it names this host.
   */
  static boolean allows(HttpServletRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return true;
    }
    String host = request.getHeader("Host");
    if (host == null || "null".equals(origin)) {
      return false;
    }
    try {
      String authority = URI.create(origin).getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
