package dev.spool.worker;

import java.util.concurrent.ScheduledFuture;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * One long poll waiting on this instance. Its non-final fields are guarded by the lock of its space
 * in {@link WaitingPolls}; it is answered exactly once, by whoever moves it to {@code DONE}.
 */
final class WaitingPoll {

  /**
   * {@code OWN_CLAIM} (its poll's first claim runs) → {@code WAITING} (queued in its group) →
   * {@code IN_CLAIM} (counted in its group's running claim) → {@code DONE}.
   */
  enum Stage {
    OWN_CLAIM,
    WAITING,
    IN_CLAIM,
    DONE
  }

  final ClaimFilter filter;
  final int count;
  final String keyId;
  final DeferredResult<Delivery.Batch> result;
  Stage stage = Stage.OWN_CLAIM;
  boolean expired; // its wait is over: answer empty when the claim counting it ends
  boolean gone; // its request ended without our answer: hand its share to the next poll
  long wakesSeen; // its space's wake count when it registered
  volatile ScheduledFuture<?> deadline;

  WaitingPoll(ClaimFilter filter, int count, String keyId, DeferredResult<Delivery.Batch> result) {
    this.filter = filter;
    this.count = count;
    this.keyId = keyId;
    this.result = result;
  }
}
