package dev.spool.web;

import org.springframework.http.HttpStatus;

/** 429 with {@code Retry-After}: a client address over one of its {@link AddressThrottle}s. */
public class TooManyAttempts extends ApiException {

  private final long retryAfterSeconds;

  public TooManyAttempts(String message, long retryAfterSeconds) {
    super(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", message);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
