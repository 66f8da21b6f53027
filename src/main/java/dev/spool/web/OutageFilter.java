package dev.spool.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns a database outage raised inside a filter (resolving an API key that is not cached yet
 * reaches the database before any controller runs) into the contract's 503 with {@code
 * Retry-After}. Outages inside controllers are handled by {@link ApiExceptionHandler}; this covers
 * what Spring MVC never sees. Ordered before the API key filter.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class OutageFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(OutageFilter.class);

  private final ErrorWriter errors;

  OutageFilter(ErrorWriter errors) {
    this.errors = errors;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } catch (ServletException | IOException | RuntimeException e) {
      if (!DatabaseOutage.isOutage(e) || response.isCommitted()) {
        throw e;
      }
      DatabaseOutage.report(log, e);
      response.resetBuffer();
      response.setHeader(
          HttpHeaders.RETRY_AFTER, String.valueOf(DatabaseOutage.RETRY_AFTER_SECONDS));
      errors.write(response, DatabaseOutage.exception());
    }
  }
}
