package dev.spool.common;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drives one piece of background work: calls {@code runOnce} every {@code interval} (± 10 % jitter,
 * sooner when it reports more work), catches and logs everything — {@link Error}s too — so the loop
 * never dies, logs a failure streak once instead of every turn, backs off while failing ({@code
 * interval} doubled per failed turn, up to 32 times it and at most a minute), reports its health
 * (ops/BackgroundLoopsHealthIndicator shows every loop bean) and stops on shutdown. Each unit of
 * work is a small class with {@code runOnce()} that tests call directly; this class only schedules
 * it.
 *
 * <p>Work that waits for its input itself (the LISTEN connection, the realtime feed's queue) waits
 * a bounded time inside {@code runOnce} and returns true: then {@code interval} is only the first
 * backoff after a failure.
 */
public class BackgroundLoop implements SmartLifecycle {

  /** The unit of work a loop drives. */
  @FunctionalInterface
  public interface Work {
    /** One turn of the work. Returns true when more work is waiting (run again at once). */
    boolean runOnce() throws Exception;

    /** Runs when the loop starts, before its first turn (on the starting thread). */
    default void started() {}

    /** Runs when the loop has stopped (its thread ended, or did not within five seconds). */
    default void stopped() {}
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
    work.started();
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
    work.stopped();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return phase;
  }

  /** Whether this thread is the loop's current one and should go on. */
  private boolean mine(Thread self) {
    return running && thread == self;
  }

  private void loop() {
    // a thread that outlived stop()'s wait (a turn stuck in a statement) must not carry on next to
    // the new thread of a restart: each thread runs only while it is the loop's current one
    Thread self = Thread.currentThread();
    int failures = 0;
    while (mine(self)) {
      boolean more = false;
      try {
        more = work.runOnce();
        lastSuccess = Instant.now();
        if (failures > 0) {
          log.info("{}: recovered after {} failed turns", name, failures);
        }
        failures = 0;
      } catch (Throwable e) {
        if (!mine(self)) {
          return; // interrupted by stop(): not a failure
        }
        lastFailure = Instant.now();
        lastError = e.toString();
        if (failures == 0 && e instanceof Error) {
          // not an outage but a bug or an exhausted JVM: the stack trace is what helps
          log.error("{}: turn failed, retrying with backoff", name, e);
        } else if (failures == 0) {
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
