package dev.spool.ops;

import dev.spool.common.BackgroundLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Every {@link BackgroundLoop} bean: its last successful turn and its last error. DOWN while any
 * loop's latest turn failed. Part of the overall health, not of readiness: a failing loop must not
 * take every instance out of the load balancer at once (when the database is the cause, readiness
 * is already DOWN through the database check).
 */
@Component("backgroundLoopsHealthIndicator")
class BackgroundLoopsHealthIndicator implements HealthIndicator {

  private final ObjectProvider<BackgroundLoop> loops;

  BackgroundLoopsHealthIndicator(ObjectProvider<BackgroundLoop> loops) {
    this.loops = loops;
  }

  @Override
  public Health health() {
    List<BackgroundLoop> all = loops.orderedStream().toList();
    Health.Builder builder = Health.up();
    for (BackgroundLoop loop : all) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("healthy", loop.healthy());
      detail.put("lastSuccess", String.valueOf(loop.lastSuccess()));
      if (loop.lastFailure() != null) {
        detail.put("lastFailure", String.valueOf(loop.lastFailure()));
        detail.put("lastError", loop.lastError());
      }
      builder.withDetail(loop.name(), detail);
      if (!loop.healthy()) {
        builder.down();
      }
    }
    return builder.build();
  }
}
