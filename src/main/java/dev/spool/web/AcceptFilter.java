package dev.spool.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses an API call whose {@code Accept} header admits no JSON with 406, before it does anything.
 * Spring MVC finds out only when it writes the answer, after the controller ran: an ack or a
 * complete was then made and a create committed, and the client got a 406 with no body — a retry of
 * the create made its jobs twice. The rule is Spring's own (some listed type is compatible with
 * {@code application/json}; {@code *}{@code /*} and {@code application/*} are), so every call this
 * lets through can be answered. The error body is JSON all the same: it is the contract's only
 * error format. Runs after the key and rate-limit filters (401 and 429 first). WebSocket upgrades
 * ({@code /api/v1/realtime/}) are not checked.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 22)
class AcceptFilter extends OncePerRequestFilter {

  /** What nearly every client sends (curl, fetch, requests: the first; SDKs: the second). */
  private static final Set<String> PLAIN = Set.of("*/*", "application/json");

  private final ErrorWriter errors;

  AcceptFilter(ErrorWriter errors) {
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
    // the common headers need no parsing: this runs on every call, polls and acks included
    String first = request.getHeader(HttpHeaders.ACCEPT);
    if (first == null
        || PLAIN.contains(first)
        || acceptsJson(Collections.list(request.getHeaders(HttpHeaders.ACCEPT)))) {
      chain.doFilter(request, response);
    } else {
      errors.write(response, ApiException.notAcceptable());
    }
  }

  /** No {@code Accept} header accepts anything; a malformed one accepts nothing. */
  static boolean acceptsJson(List<String> headers) {
    if (headers.stream().allMatch(String::isBlank)) {
      return true;
    }
    try {
      return MediaType.parseMediaTypes(headers).stream()
          .anyMatch(t -> t.isCompatibleWith(MediaType.APPLICATION_JSON));
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }
}
