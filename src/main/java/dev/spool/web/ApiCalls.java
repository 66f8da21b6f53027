package dev.spool.web;

import jakarta.servlet.http.HttpServletRequest;

/** Which requests are calls of the JSON API, for the filters that guard only those. */
public final class ApiCalls {

  private ApiCalls() {}

  /** Under {@code /api/v1/}, but not a realtime WebSocket upgrade ({@code /api/v1/realtime/}). */
  public static boolean is(HttpServletRequest request) {
    String path = request.getRequestURI();
    return path.startsWith("/api/v1/") && !path.startsWith("/api/v1/realtime/");
  }
}
