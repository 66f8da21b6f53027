package dev.spool.stats;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The per-space time series (GET /spaces/:id/stats).
 *
 * @param every how often the roll-up folds new job events into the per-minute rows and samples the
 *     backlog; the current minute's row is at most this old
 * @param maxSteps most steps one stats request may cover (a wider window is a 400)
 */
@ConfigurationProperties("spool.stats")
public record StatsProperties(
    @DefaultValue("10s") Duration every, @DefaultValue("2880") int maxSteps) {

  public StatsProperties {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("spool.stats.every must be positive");
    }
    if (maxSteps < 1) {
      throw new IllegalArgumentException("spool.stats.max-steps must be >= 1");
    }
  }
}
