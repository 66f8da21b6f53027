package dev.spool.realtime;

import java.util.Set;

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

  static final Set<String> TERMINAL = Set.of("completed", "dead", "killed");

  boolean isTerminal() {
    return TERMINAL.contains(type);
  }

  /**
   * The job's status right after this event. Most event types imply it, and custom events need a
   * running job (docs/api.md §4.3). For the rest (retried, timed_out, callbacks...) the job's
   * status at fetch time stands in: callbacks follow a terminal state, which never changes, and a
   * retry leaves the job pending or scheduled.
   */
  String status() {
    return switch (type) {
      case "created", "promoted", "delivery_timeout" -> "pending";
      case "scheduled" -> "scheduled";
      case "delivered" -> "delivered";
      case "completed", "dead", "killed" -> type;
      case "retried" ->
          "scheduled".equals(jobStatus) || "pending".equals(jobStatus) ? jobStatus : "pending";
      case "timed_out", "callback_sent", "callback_failed", "retried_as" -> jobStatus;
      default -> "running"; // acked, progress, checkpoint, keepalive and custom events
    };
  }
}
