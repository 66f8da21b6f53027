package dev.spool.common;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drives one piece of background work: calls {@code runOnce} every {@code interval} (± 10 % jitter,
 * sooner when it reports more work), catches and logs everything so the loop never dies, logs a
 * failure streak once instead of every turn, backs off while failing, and stops on shutdown. Each
 * maintenance service is a small class with {@code runOnce()} that tests call directly; this class
 * only schedules it.
 */
public class BackgroundLoop implements SmartLifecycle {

  /** One turn of the work. Returns true when more work is waiting (run again at once). */
  @FunctionalInterface
  public interface Work {
    boolean runOnce() throws Exception;
  }

  private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

  private final String name;
  private final Duration interval;
  private final Work work;
  private final int phase;
  private volatile boolean running;
  private volatile Thread thread;
  private volatile Instant lastSuccess;
  private volatile Instant lastFailure;
  private volatile String lastError;

  public BackgroundLoop(String name, Duration interval, Work work) {
    this(name, interval, work, 0);
  }

  /**
   * @param phase lifecycle phase: loops with a higher phase start later and stop earlier
   */
  public BackgroundLoop(String name, Duration interval, Work work, int phase) {
    this.name = name;
    this.interval = interval;
    this.work = work;
    this.phase = phase;
  }

  public String name() {
    return name;
  }

  public Instant lastSuccess() {
    return lastSuccess;
  }

  public Instant lastFailure() {
    return lastFailure;
  }

  public String lastError() {
    return lastError;
  }

  /** Healthy when the latest turn succeeded (or none has failed yet). */
  public boolean healthy() {
    return lastFailure == null || (lastSuccess != null && lastSuccess.isAfter(lastFailure));
  }

  @Override
  public void start() {
    running = true;
    Thread t = new Thread(this::loop, "spool-" + name);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return phase;
  }

  private void loop() {
    int failures = 0;
    while (running) {
      boolean more = false;
      try {
        more = work.runOnce();
        lastSuccess = Instant.now();
        if (failures > 0) {
          log.info("{}: recovered after {} failed turns", name, failures);
        }
        failures = 0;
      } catch (Throwable e) {
        lastFailure = Instant.now();
        lastError = String.valueOf(e.getMessage());
        if (failures == 0) {
          log.warn("{}: turn failed, retrying with backoff: {}", name, e.toString());
        }
        failures++;
      }
      if (more && failures == 0) {
        continue;
      }
      long base = interval.toMillis() * (1L << Math.min(failures, 5));
      long jitter = (long) (base * 0.1 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
      try {
        Thread.sleep(Math.max(1, Math.min(base + jitter, 60_000)));
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
