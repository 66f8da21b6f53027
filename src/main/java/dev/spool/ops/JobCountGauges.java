package dev.spool.ops;

import dev.spool.common.BackgroundLoop;
import dev.spool.job.JobCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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

  /** One series: the value its gauge reads, and the gauge (to remove it when the row goes). */
  private record Series(AtomicLong value, Gauge gauge) {}

  private final JobCounts counts;
  private final MeterRegistry registry;
  private final Map<Tags, Series> series = new HashMap<>();

  JobCountGauges(JobCounts counts, MeterRegistry registry) {
    this.counts = counts;
    this.registry = registry;
  }

  /**
   * Re-reads the counts and sets every series; called by the loop, and by tests. A series keeps its
   * gauge and only its value changes: replacing gauges (MultiGauge's overwrite) while Prometheus
   * scrapes can show one series twice and fail the scrape (micrometer issue 6851). Only the series
   * of a space that is gone are removed.
   */
  public synchronized boolean runOnce() {
    Set<Tags> seen = new HashSet<>();
    for (Map.Entry<String, Map<String, Long>> space : counts.allSpaces().entrySet()) {
      for (Map.Entry<String, Long> status : space.getValue().entrySet()) {
        Tags tags = Tags.of("space", space.getKey(), "status", status.getKey());
        seen.add(tags);
        series.computeIfAbsent(tags, this::register).value().set(status.getValue());
      }
    }
    series
        .entrySet()
        .removeIf(
            e -> {
              boolean gone = !seen.contains(e.getKey());
              if (gone) {
                registry.remove(e.getValue().gauge());
              }
              return gone;
            });
    return false;
  }

  private Series register(Tags tags) {
    AtomicLong value = new AtomicLong();
    Gauge gauge =
        Gauge.builder(METER, value, AtomicLong::get)
            .description("Jobs per space and status (refreshed periodically, cluster-wide)")
            .tags(tags)
            .strongReference(true)
            .register(registry);
    return new Series(value, gauge);
  }

  @Configuration(proxyBeanMethods = false)
  static class RefreshLoop {
    @Bean
    BackgroundLoop jobCountGaugesLoop(JobCountGauges gauges, OpsProperties properties) {
      return new BackgroundLoop("count-gauges", properties.countsRefresh(), gauges::runOnce);
    }
  }
}
