package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyHistogramsTests {

  @Test
  void everyHttpRequestTimerGetsTheSameFixedBucketsSoTheScrapeStaysValid() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new LatencyHistograms().httpLatencyBuckets());
    Timer.builder("http.server.requests")
        .tag("uri", "/api/v1/spaces/{spaceId}/jobs")
        .register(registry)
        .record(Duration.ofMillis(30));
    Timer.builder("http.server.requests")
        .tag("uri", "/api/v1/spaces")
        .register(registry)
        .record(Duration.ofMillis(3));
    Timer.builder("other.timer").register(registry).record(Duration.ofMillis(3));

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains(
            "http_server_requests_seconds_bucket{uri=\"/api/v1/spaces/{spaceId}/jobs\",le=\"0.05\"} 1")
        .contains("http_server_requests_seconds_bucket{uri=\"/api/v1/spaces\",le=\"0.005\"} 1")
        .doesNotContain("other_timer_seconds_bucket");
    assertThat(scrape).contains("le=\"60.0\"").doesNotContain("le=\"120.0\"");
  }
}
