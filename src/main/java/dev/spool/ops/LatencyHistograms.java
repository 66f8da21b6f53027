package dev.spool.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Latency histograms (Prometheus {@code _bucket} series, so any percentile can be computed over
 * any set of instances) for the queue's hot endpoints only — create, list, poll and claim — to
 * keep the number of series small. Everything else keeps the plain count/sum/max timer.
 */
@Configuration(proxyBeanMethods = false)
class LatencyHistograms {

  static final Pattern HOT_URIS =
      Pattern.compile("^/api/v1/(spaces/\\{[^}]+}/jobs(/poll)?|jobs/\\{[^}]+}/claim)$");

  @Bean
  MeterFilter hotEndpointHistograms() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        String uri = id.getTag("uri");
        if (!"http.server.requests".equals(id.getName()) || uri == null || !HOT_URIS.matcher(uri).matches()) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
            // long polls may wait up to a minute
            .maximumExpectedValue((double) Duration.ofSeconds(60).toNanos())
            .build()
            .merge(config);
      }
    };
  }
}
