package dev.spool.maintenance;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often the background maintenance runs and how much one turn may do.
 *
 * @param promoteEvery how often due scheduled jobs are promoted to pending (polls serve due jobs
 *     anyway; promotion makes them visible as pending and wakes long polls)
 * @param rescueEvery how often delivery and execution timeouts are looked for; a timed-out job is
 *     rescued at most this long after its deadline
 * @param reapEvery how often terminal jobs past retention are deleted
 * @param batchSize most jobs one turn of any of them touches (a full batch runs again at once)
 */
@ConfigurationProperties("spool.maintenance")
record MaintenanceProperties(
    @DefaultValue("1s") Duration promoteEvery,
    @DefaultValue("1s") Duration rescueEvery,
    @DefaultValue("1m") Duration reapEvery,
    @DefaultValue("1000") int batchSize) {

  MaintenanceProperties {
    if (batchSize < 1) {
      throw new IllegalArgumentException("spool.maintenance.batch-size must be >= 1");
    }
  }
}
