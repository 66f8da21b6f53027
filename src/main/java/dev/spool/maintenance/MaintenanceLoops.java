package dev.spool.maintenance;

import dev.spool.system.BackgroundLoop;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Drives the maintenance services. The loops start after, and stop before, nothing in particular
 * of each other's work — each is independent and safe to interrupt between statements — but they
 * stop in a fixed order on shutdown (reaper, rescuer, promoter: higher phase stops first), after
 * the web server has drained its requests.
 */
@Configuration(proxyBeanMethods = false)
class MaintenanceLoops {

  @Bean
  BackgroundLoop scheduledJobPromoterLoop(
      ScheduledJobPromoter promoter, MaintenanceProperties properties) {
    return new BackgroundLoop("promoter", properties.promoteEvery(), promoter::runOnce, 10);
  }

  @Bean
  BackgroundLoop timeoutRescuerLoop(TimeoutRescuer rescuer, MaintenanceProperties properties) {
    return new BackgroundLoop("timeout-rescuer", properties.rescueEvery(), rescuer::runOnce, 20);
  }

  @Bean
  BackgroundLoop retentionReaperLoop(RetentionReaper reaper, MaintenanceProperties properties) {
    return new BackgroundLoop("retention-reaper", properties.reapEvery(), reaper::runOnce, 30);
  }
}
