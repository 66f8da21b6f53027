package dev.spool.maintenance;

import dev.spool.common.BackgroundLoop;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Drives the maintenance services, each on its own {@link BackgroundLoop}. Every turn is one short
 * statement per kind of work, safe to stop between turns. On shutdown they stop in a fixed order —
 * reaper and idempotency-key purger, rescuer, promoter (a higher phase stops first) — and only
 * after the web server has drained its in-flight requests (its lifecycle phases are far higher), so
 * a worker's last complete is never raced by a rescuer that already stopped looking.
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

  @Bean
  BackgroundLoop idempotencyKeyPurgerLoop(
      IdempotencyKeyPurger purger, MaintenanceProperties properties) {
    return new BackgroundLoop(
        "idempotency-key-purger", properties.reapEvery(), purger::runOnce, 30);
  }
}
