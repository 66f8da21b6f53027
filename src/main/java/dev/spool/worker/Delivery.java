package dev.spool.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/**
 * The job descriptor a poll or claim hands to a worker (docs/api.md §4.2). {@code payload} is the
 * JSON text stored in PostgreSQL, written through unchanged. {@code status} is sent only by a claim
 * with ack on poll ({@code "running"}); a plain claim's descriptor stays exactly the emit.run one.
 */
@JsonPropertyOrder({
  "id",
  "name",
  "payload",
  "timeoutSeconds",
  "maxRetries",
  "attemptNumber",
  "createdAt",
  "deliveryId",
  "status"
})
record Delivery(
    String id,
    String name,
    @JsonRawValue String payload,
    int timeoutSeconds,
    int maxRetries,
    int attemptNumber,
    String createdAt,
    String deliveryId,
    @JsonInclude(JsonInclude.Include.NON_NULL) String status) {

  /** The poll answer: {@code {"jobs": [...]}}. */
  record Batch(List<Delivery> jobs) {
    static final Batch EMPTY = new Batch(List.of());
  }
}
