package dev.spool.realtime;

import dev.spool.job.JobEventType;
import dev.spool.job.JobStatus;
import java.util.Optional;

/**
 * One committed job event as the feed fetched it, with what frames need from its job.
 *
 * @param id the event's id
 * @param tx the transaction that committed it
 * @param jobId the job
 * @param spaceId the job's space
 * @param type the event type ({@code progress}, {@code completed}, a custom type...)
 * @param data the event's data as JSON text, or null
 * @param createdAt when it was written, in the API's format
 * @param jobName the job's name
 * @param jobStatus the job's status when the event was fetched (it may have moved on since)
 */
record StoredEvent(
    long id,
    long tx,
    String jobId,
    String spaceId,
    String type,
    String data,
    String createdAt,
    String jobName,
    String jobStatus) {

  boolean isTerminal() {
    return JobEventType.fromWire(type).map(JobEventType::isTerminal).orElse(false);
  }

  /**
   * The job's status right after this event. Most event types imply it ({@link
   * JobEventType#impliedStatus()}), and custom events need a running job (docs/api.md §4.3). For
   * the rest (timed_out, callbacks, retried_as) the job's status at fetch time stands in: callbacks
   * follow a terminal state, which never changes, and a timeout is followed by retried or dead in
   * the same transaction. A retry leaves the job pending or scheduled.
   */
  String status() {
    Optional<JobEventType> known = JobEventType.fromWire(type);
    if (known.isEmpty()) {
      return JobStatus.RUNNING.wire(); // a custom event
    }
    if (known.get() == JobEventType.RETRIED) {
      boolean waiting =
          JobStatus.SCHEDULED.wire().equals(jobStatus)
              || JobStatus.PENDING.wire().equals(jobStatus);
      return waiting ? jobStatus : JobStatus.PENDING.wire();
    }
    return known.get().impliedStatus().map(JobStatus::wire).orElse(jobStatus);
  }
}
