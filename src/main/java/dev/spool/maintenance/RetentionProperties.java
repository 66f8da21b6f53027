package dev.spool.maintenance;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long terminal jobs are kept (docs/api.md §9, env {@code SPOOL_RETENTION}).
 *
 * @param retention age (since {@code completedAt}) after which a completed, dead or killed job, its
 *     events and logs are deleted; ISO-8601 ({@code P7D}) or simple ({@code 7d}, {@code 12h})
 */
@ConfigurationProperties("spool")
public record RetentionProperties(@DefaultValue("7d") Duration retention) {

  public RetentionProperties {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("spool.retention must be positive");
    }
  }
}
