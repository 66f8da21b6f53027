package dev.spool.space;

import dev.spool.web.ApiCalls;
import dev.spool.web.ApiException;
import dev.spool.web.ErrorWriter;
import dev.spool.web.TooManyAttempts;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every REST call under {@code /api/v1/}: the key comes from {@code x-api-key} or
 * {@code Authorization: Bearer}. Missing, unknown and revoked keys answer 401 before any controller
 * runs; an address with too many failed lookups answers 429 ({@link ApiKeys#resolve(String,
 * String)}). WebSocket upgrades ({@code /api/v1/realtime/}) authenticate themselves, since they
 * also accept {@code ?token=} and no key at all.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class ApiKeyFilter extends OncePerRequestFilter {

  private final ApiKeys keys;
  private final ErrorWriter errors;

  ApiKeyFilter(ApiKeys keys, ErrorWriter errors) {
    this.keys = keys;
    this.errors = errors;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !ApiCalls.is(request);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String presented = presentedKey(request);
    if (presented == null) {
      errors.write(response, ApiException.unauthorized("Missing API key"));
      return;
    }
    Optional<Caller> caller;
    try {
      caller = keys.resolve(presented, request.getRemoteAddr());
    } catch (TooManyAttempts e) {
      errors.write(response, e);
      return;
    }
    if (caller.isEmpty()) {
      errors.write(response, ApiException.unauthorized("Invalid API key"));
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, caller.get());
    chain.doFilter(request, response);
  }

  /** The key from {@code x-api-key} or a Bearer token; null when neither is sent. */
  static String presentedKey(HttpServletRequest request) {
    String header = request.getHeader("x-api-key");
    if (header != null && !header.isBlank()) {
      return header.trim();
    }
    String auth = request.getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = auth.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }
}
