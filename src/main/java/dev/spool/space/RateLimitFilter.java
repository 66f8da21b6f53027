package dev.spool.space;

import dev.spool.limits.RateLimiter;
import dev.spool.limits.TokenBucket;
import dev.spool.web.ApiException;
import dev.spool.web.ErrorWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies the per-key rate limit right after the API key filter has identified the caller: every
 * authenticated REST response carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and
 * {@code RateLimit-Reset}; a request over the limit answers 429 with {@code Retry-After}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 21)
class RateLimitFilter extends OncePerRequestFilter {

  private final RateLimiter limiter;
  private final ErrorWriter errors;
  private final Counter rejected;

  RateLimitFilter(RateLimiter limiter, ErrorWriter errors, MeterRegistry registry) {
    this.limiter = limiter;
    this.errors = errors;
    this.rejected =
        Counter.builder("spool.ratelimit.rejected")
            .description("Requests refused with 429 by the per-key rate limit")
            .register(registry);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Caller caller = (Caller) request.getAttribute(Caller.ATTRIBUTE);
    TokenBucket.Decision decision =
        caller == null ? null : limiter.take(caller.keyId(), caller.rateLimitPerSecond());
    if (decision == null) {
      chain.doFilter(request, response);
      return;
    }
    response.setHeader("RateLimit-Limit", String.valueOf(decision.limit()));
    response.setHeader("RateLimit-Remaining", String.valueOf(decision.remaining()));
    response.setHeader("RateLimit-Reset", String.valueOf(decision.resetSeconds()));
    if (!decision.allowed()) {
      rejected.increment();
      response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(decision.retryAfterSeconds()));
      errors.write(
          response,
          new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", "Rate limit exceeded"));
      return;
    }
    chain.doFilter(request, response);
  }
}
