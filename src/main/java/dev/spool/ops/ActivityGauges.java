package dev.spool.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Gauges of what is open on this instance right now, for the features that own it to move:
 * {@code spool.polls.waiting} (long polls parked waiting for a job) and {@code
 * spool.realtime.connections} (open WebSockets). Use in try/finally: {@code
 * gauges.longPollsWaiting().incrementAndGet(); try { ... } finally {
 * gauges.longPollsWaiting().decrementAndGet(); }}. Per instance: aggregate with {@code sum()}.
 */
@Component
public class ActivityGauges {

  private final AtomicInteger longPollsWaiting = new AtomicInteger();
  private final AtomicInteger realtimeConnections = new AtomicInteger();

  ActivityGauges(MeterRegistry registry) {
    Gauge.builder("spool.polls.waiting", longPollsWaiting, AtomicInteger::get)
        .description("Long polls waiting for a job on this instance")
        .register(registry);
    Gauge.builder("spool.realtime.connections", realtimeConnections, AtomicInteger::get)
        .description("Open realtime WebSocket connections on this instance")
        .register(registry);
  }

  public AtomicInteger longPollsWaiting() {
    return longPollsWaiting;
  }

  public AtomicInteger realtimeConnections() {
    return realtimeConnections;
  }
}
