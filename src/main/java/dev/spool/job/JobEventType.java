package dev.spool.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The event types Spool writes itself (docs/api.md §5, the {@code Event} schema of
 * openapi/spool.yaml): the one list that the reserved-type check of the event endpoint, the event
 * metrics and the realtime streams read. Workers may add custom types; those never collide with
 * these (the endpoint refuses them) and imply a running job.
 */
public enum JobEventType {
  CREATED(JobStatus.PENDING, true),
  SCHEDULED(JobStatus.SCHEDULED, true),
  PROMOTED(JobStatus.PENDING, true),
  DELIVERED(JobStatus.DELIVERED, true),
  ACKED(JobStatus.RUNNING, true),
  PROGRESS(JobStatus.RUNNING, false),
  CHECKPOINT(JobStatus.RUNNING, false),
  KEEPALIVE(JobStatus.RUNNING, false),
  /** A failed attempt that will run again: the job is pending, or scheduled after a backoff. */
  RETRIED(null, true),
  DELIVERY_TIMEOUT(JobStatus.PENDING, true),
  /** The execution timed out; a {@code retried} or {@code dead} event says what followed. */
  TIMED_OUT(null, true),
  COMPLETED(JobStatus.COMPLETED, true),
  DEAD(JobStatus.DEAD, true),
  KILLED(JobStatus.KILLED, true),
  CALLBACK_SENT(null, true),
  CALLBACK_FAILED(null, true),
  /**
   * On the old job when it re-ran as a new one ({@code data.jobId}); the new job has its created.
   */
  RETRIED_AS(null, false);

  private static final Map<String, JobEventType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(JobEventType::wire, Function.identity()));

  private final JobStatus implies;
  private final boolean counted;

  JobEventType(JobStatus implies, boolean counted) {
    this.implies = implies;
    this.counted = counted;
  }

  /** The name used on the wire and in {@code job_events.type}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The job's status right after an event of this type, when the type alone says; empty for the
   * types that leave it to the job (retried, timed_out, the callback events, retried_as).
   */
  public Optional<JobStatus> impliedStatus() {
    return Optional.ofNullable(implies);
  }

  /** An event that ends the job: completed, dead or killed. */
  public boolean isTerminal() {
    return implies != null && implies.isTerminal();
  }

  /**
   * Whether {@code spool_job_events_total} counts it: lifecycle and callback events; not progress,
   * checkpoint and keepalive (one per report, not a transition) nor retried_as.
   */
  public boolean isCounted() {
    return counted;
  }

  /** The type of a stored event; empty for a custom type. */
  public static Optional<JobEventType> fromWire(String text) {
    return Optional.ofNullable(BY_WIRE.get(text));
  }
}
