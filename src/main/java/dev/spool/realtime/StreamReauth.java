package dev.spool.realtime;

import dev.spool.space.ApiKeys;
import dev.spool.space.KeyProperties;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Authorizes every open keyed stream again as often as resolved keys are cached ({@code
 * spool.keys.cache-ttl}, at most once a second): a revoked key, a key that lost its scope or space,
 * or a signed-out dashboard session ends its streams within about one cache period (4401, or 1008
 * for a key that is still valid but no longer allowed). Each distinct key costs at most one
 * database read per cache period; it runs on its own thread so a slow database never delays pings.
 */
@Component
class StreamReauth implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(StreamReauth.class);

  private final Connections connections;
  private final ApiKeys keys;
  private final Duration period;
  private ScheduledExecutorService timer;
  private volatile boolean running;

  StreamReauth(Connections connections, ApiKeys keys, KeyProperties keyProperties) {
    this.connections = connections;
    this.keys = keys;
    Duration ttl = keyProperties.cacheTtl();
    this.period = ttl.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : ttl;
  }

  /** Re-checks every open stream once; returns how many it closed. */
  int recheckAll() {
    int[] closed = {0};
    connections.forEachOpen(
        out -> {
          Object auth = out.attributes().get(StreamAuth.ATTRIBUTE);
          if (!(auth instanceof StreamAuth a)) {
            return; // a token-less progress view
          }
          try {
            Optional<CloseStatus> verdict = a.recheck(keys);
            if (verdict.isPresent()) {
              out.close(verdict.get());
              closed[0]++;
            }
          } catch (RuntimeException e) {
            log.debug("Could not re-check {}: {}", a, e.toString());
          }
        });
    return closed[0];
  }

  @Override
  public void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "spool-realtime-reauth");
              t.setDaemon(true);
              return t;
            });
    long ms = period.toMillis();
    timer.scheduleWithFixedDelay(this::recheckAll, ms, ms, TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    timer.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
