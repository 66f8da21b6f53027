package dev.spool.job;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How much of a job's event history one read returns (docs/api.md §4.4). Event data may be up to 1
 * MiB each, so every read stops at a count and at a byte budget (it always holds at least one
 * event).
 *
 * @param shown the most recent events {@code GET /jobs/:id} includes
 * @param defaultPageSize events per {@code GET /jobs/:id/events} page when {@code limit} is absent
 * @param maxPageSize the largest {@code limit} accepted
 * @param budget the most event data (serialized, in bytes) one read returns
 */
@Validated
@ConfigurationProperties("spool.jobs.events")
public record JobEventProperties(
    @DefaultValue("100") int shown,
    @DefaultValue("100") int defaultPageSize,
    @DefaultValue("1000") int maxPageSize,
    @DefaultValue("1MB") DataSize budget) {

  public JobEventProperties {
    if (shown < 1 || defaultPageSize < 1 || maxPageSize < defaultPageSize) {
      throw new IllegalArgumentException(
          "spool.jobs.events: shown and default-page-size must be at least 1,"
              + " max-page-size at least default-page-size");
    }
  }
}
