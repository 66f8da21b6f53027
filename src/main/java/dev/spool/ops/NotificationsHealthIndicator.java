package dev.spool.ops;

import dev.spool.database.PgNotifications;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The cross-instance notification listener: UP while its LISTEN connection is open. While it is
 * down, wake-ups and realtime events from other instances are late (delivered after reconnect), so
 * this is part of the overall health but not of readiness.
 */
@Component("notificationsHealthIndicator")
class NotificationsHealthIndicator implements HealthIndicator {

  private final PgNotifications notifications;

  NotificationsHealthIndicator(PgNotifications notifications) {
    this.notifications = notifications;
  }

  @Override
  public Health health() {
    Health.Builder builder = notifications.isConnected() ? Health.up() : Health.down();
    return builder.withDetail("reconnects", notifications.generation()).build();
  }
}
