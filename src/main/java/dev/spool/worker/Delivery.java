package dev.spool.worker;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/**
 * The job descriptor a poll or claim hands to a worker (docs/api.md §4.2). {@code payload} is the
 * JSON text stored in PostgreSQL, written through unchanged.
 */
@JsonPropertyOrder({
  "id",
  "name",
  "payload",
  "timeoutSeconds",
  "maxRetries",
  "attemptNumber",
  "createdAt",
  "deliveryId"
})
record Delivery(
    String id,
    String name,
    @JsonRawValue String payload,
    int timeoutSeconds,
    int maxRetries,
    int attemptNumber,
    String createdAt,
    String deliveryId) {

  /** The poll answer: {@code {"jobs": [...]}}. */
  record Batch(List<Delivery> jobs) {
    static final Batch EMPTY = new Batch(List.of());
  }
}
