package dev.spool.ops;

import dev.spool.common.BackgroundLoop;
import dev.spool.job.JobCounts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * Jobs per status per space as gauges ({@value #METER}), re-read every {@code
 * spool.ops.counts-refresh} from {@link JobCounts} (trigger-maintained totals, never a count of the
 * job table) rather than per scrape. A space that disappears loses its series on the next refresh.
 * The values are cluster-wide: every instance reports the same numbers.
 */
@Component
public class JobCountGauges {

  static final String METER = "spool.jobs.current";

  private final JobCounts counts;
  private final MultiGauge gauge;

  JobCountGauges(JobCounts counts, MeterRegistry registry) {
    this.counts = counts;
    this.gauge =
        MultiGauge.builder(METER)
            .description("Jobs per space and status (refreshed periodically, cluster-wide)")
            .register(registry);
  }

  /** Re-reads the counts and replaces every series; called by the loop, and by tests. */
  public boolean runOnce() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (Map.Entry<String, Map<String, Long>> space : counts.allSpaces().entrySet()) {
      for (Map.Entry<String, Long> status : space.getValue().entrySet()) {
        rows.add(
            MultiGauge.Row.of(
                Tags.of("space", space.getKey(), "status", status.getKey()), status.getValue()));
      }
    }
    gauge.register(rows, true);
    return false;
  }

  @Configuration(proxyBeanMethods = false)
  static class RefreshLoop {
    @Bean
    BackgroundLoop jobCountGaugesLoop(JobCountGauges gauges, OpsProperties properties) {
      return new BackgroundLoop("count-gauges", properties.countsRefresh(), gauges::runOnce);
    }
  }
}
