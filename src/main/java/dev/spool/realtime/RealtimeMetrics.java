package dev.spool.realtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/** Realtime figures for {@code /actuator/prometheus}. */
@Component
class RealtimeMetrics implements MeterBinder {

  private final Connections connections;
  private final RealtimeFeed feed;

  RealtimeMetrics(Connections connections, RealtimeFeed feed) {
    this.connections = connections;
    this.feed = feed;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("spool.realtime.connections", connections, Connections::openCount)
        .description("Open realtime WebSocket connections on this instance")
        .register(registry);
    Gauge.builder("spool.realtime.fetch.queue", feed, RealtimeFeed::queued)
        .description("Committed transactions waiting to be fetched by the realtime feed")
        .register(registry);
    FunctionCounter.builder("spool.realtime.events.published", feed, RealtimeFeed::published)
        .description("Job events published to this instance's streams")
        .register(registry);
    FunctionCounter.builder(
            "spool.realtime.slow.consumers.closed", connections, Connections::slowConsumersClosed)
        .description("Connections closed with 1008 for not keeping up")
        .register(registry);
  }
}
