package dev.spool.callback;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How a sender loop waits between turns: until a notification says there may be work, or until the
 * poll interval passes (a lost notification only costs latency). Wake-ups that arrive together
 * collapse into one turn.
 */
final class WakeSignal {

  private final Semaphore permits = new Semaphore(0);

  /** There may be work; cheap and safe to call from the notification thread. */
  void signal() {
    if (permits.availablePermits() == 0) {
      permits.release();
    }
  }

  /**
   * Waits for a signal or {@code interval}; after a signal, waits {@code collapse} more so that a
   * burst of notifications becomes one turn.
   *
   * @return false when interrupted (the loop is stopping)
   */
  boolean await(Duration interval, Duration collapse) {
    try {
      if (permits.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS)) {
        Thread.sleep(collapse.toMillis());
      }
      permits.drainPermits();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
