package dev.spool.callback;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Callbacks, HTTP push and Slack notifications (docs/api.md §6).
 *
 * @param enabled whether this instance runs the dispatchers (the outbox is written regardless, so
 *     another instance, or this one after a restart, sends what was recorded)
 * @param senders sender threads: callbacks in flight at once on this instance
 * @param batchSize most deliveries claimed in one query
 * @param pollInterval how often the dispatcher looks for due deliveries when nothing woke it
 * @param wakeDelay how long a dispatcher woken by a commit notification waits before it looks, so a
 *     burst of notifications costs one query
 * @param lease how long a claimed delivery belongs to this instance; an attempt still unrecorded
 *     after it (the instance died) is picked up by another. Must exceed connect + response timeout
 * @param connectTimeout TCP (and TLS) connect timeout of one attempt
 * @param responseTimeout longest wait for response data of one attempt
 * @param retryDelays the waits before each retry; attempts in all = 1 + the number of delays
 * @param jitter fraction by which each retry delay is randomly shortened or lengthened
 * @param retryAfterCap longest {@code Retry-After} of a 429 or 503 that is honoured
 * @param allowedCidrs addresses the address guard lets through anyway, e.g. {@code 127.0.0.0/8}
 * @param maxConnections pooled connections in all (per route: the same)
 * @param notificationQueue push and Slack messages waiting for a sender; beyond it they are dropped
 * @param notificationSenders threads sending push and Slack messages
 * @param notificationMaxAge push and Slack messages older than this are dropped unsent
 * @param maxInFlightPerSpace most callback attempts of one space in flight at once, over all
 *     instances, so a space whose receivers hang cannot occupy every sender
 * @param maxResponseHeaders most header fields a receiver's response may have
 * @param maxResponseHeaderLine longest status or header line of a receiver's response, in bytes
 */
@Validated
@ConfigurationProperties("spool.callbacks")
public record CallbackProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("16") int senders,
    @DefaultValue("100") int batchSize,
    @DefaultValue("2s") Duration pollInterval,
    @DefaultValue("20ms") Duration wakeDelay,
    @DefaultValue("2m") Duration lease,
    @DefaultValue("10s") Duration connectTimeout,
    @DefaultValue("10s") Duration responseTimeout,
    @DefaultValue({"10s", "30s", "2m", "10m", "30m", "1h", "3h", "6h"}) List<Duration> retryDelays,
    @DefaultValue("0.1") double jitter,
    @DefaultValue("6h") Duration retryAfterCap,
    @DefaultValue List<String> allowedCidrs,
    @DefaultValue("64") int maxConnections,
    @DefaultValue("1000") int notificationQueue,
    @DefaultValue("4") int notificationSenders,
    @DefaultValue("10m") Duration notificationMaxAge,
    @DefaultValue("4") int maxInFlightPerSpace,
    @DefaultValue("100") int maxResponseHeaders,
    @DefaultValue("8192") int maxResponseHeaderLine) {

  public CallbackProperties {
    if (senders < 1
        || batchSize < 1
        || notificationSenders < 1
        || notificationQueue < 1
        || maxInFlightPerSpace < 1
        || maxResponseHeaders < 1
        || maxResponseHeaderLine < 256) {
      throw new IllegalArgumentException(
          "spool.callbacks sizes must be at least 1 (max-response-header-line: 256)");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("spool.callbacks.jitter must be in [0, 1)");
    }
    if (lease.compareTo(connectTimeout.plus(responseTimeout).plusSeconds(5)) < 0) {
      // an attempt is aborted after connect + response timeout; the lease must outlast it, or a
      // second instance could claim a delivery that is still being sent
      throw new IllegalArgumentException(
          "spool.callbacks.lease must exceed connect-timeout + response-timeout by 5s");
    }
    retryDelays = List.copyOf(retryDelays);
    allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
  }

  /** Attempts in all, the first included. */
  int maxAttempts() {
    return retryDelays.size() + 1;
  }
}
