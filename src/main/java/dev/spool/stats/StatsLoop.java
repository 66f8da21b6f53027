package dev.spool.stats;

import dev.spool.common.BackgroundLoop;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Runs the stats roll-up on its own background loop (stopped before the maintenance loops). */
@Configuration(proxyBeanMethods = false)
class StatsLoop {

  @Bean
  BackgroundLoop statsRollupLoop(StatsRollup rollup, StatsProperties properties) {
    return new BackgroundLoop("stats-rollup", properties.every(), rollup::runOnce, 40);
  }
}
