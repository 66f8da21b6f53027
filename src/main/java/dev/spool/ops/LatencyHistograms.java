package dev.spool.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.util.Arrays;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Latency histograms for HTTP requests: Prometheus {@code http_server_requests_seconds_bucket}
 * series, so any percentile of create, poll or claim latency can be computed over any set of
 * instances ({@code histogram_quantile(0.99, sum by (le, uri) (rate(..._bucket[5m])))}).
 *
 * <p>Prometheus needs one type per metric name, so every URI gets the histogram, not only the hot
 * ones; a fixed set of 13 boundaries, up to a long poll's minute, keeps the series count small.
 */
@Configuration(proxyBeanMethods = false)
class LatencyHistograms {

  static final double[] BOUNDARIES_SECONDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private static final double NANOS_PER_SECOND = 1e9;

  @Bean
  MeterFilter httpLatencyBuckets() {
    double[] nanos = Arrays.stream(BOUNDARIES_SECONDS).map(s -> s * NANOS_PER_SECOND).toArray();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (!"http.server.requests".equals(id.getName())) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .serviceLevelObjectives(nanos)
            .build()
            .merge(config);
      }
    };
  }
}
