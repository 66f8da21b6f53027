package dev.spool.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/**
 * The job object of docs/api.md §3. JSON documents (payload, result, progress, callbackHeaders) are
 * kept as the JSON text stored in PostgreSQL and written through unchanged. Absent optional fields
 * are {@code null}, never omitted; {@code events} appears only on {@code GET /jobs/:id}.
 */
@JsonPropertyOrder({
  "id",
  "spaceId",
  "name",
  "payload",
  "status",
  "maxRetries",
  "attemptNumber",
  "timeoutSeconds",
  "backoffSeconds",
  "scheduledFor",
  "callbackUrl",
  "callbackHeaders",
  "progress",
  "result",
  "lastError",
  "createdAt",
  "updatedAt",
  "deliveredAt",
  "startedAt",
  "completedAt",
  "retriedFrom",
  "events"
})
public record JobView(
    String id,
    String spaceId,
    String name,
    @JsonRawValue String payload,
    String status,
    int maxRetries,
    int attemptNumber,
    int timeoutSeconds,
    int backoffSeconds,
    String scheduledFor,
    String callbackUrl,
    @JsonRawValue String callbackHeaders,
    @JsonRawValue String progress,
    @JsonRawValue String result,
    String lastError,
    String createdAt,
    String updatedAt,
    String deliveredAt,
    String startedAt,
    String completedAt,
    String retriedFrom,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<EventView> events) {

  /** One entry of a job's event history. */
  public record EventView(
      long id, String type, @JsonRawValue String data, int attemptNumber, String createdAt) {}

  public JobView withEvents(List<EventView> list) {
    return new JobView(
        id,
        spaceId,
        name,
        payload,
        status,
        maxRetries,
        attemptNumber,
        timeoutSeconds,
        backoffSeconds,
        scheduledFor,
        callbackUrl,
        callbackHeaders,
        progress,
        result,
        lastError,
        createdAt,
        updatedAt,
        deliveredAt,
        startedAt,
        completedAt,
        retriedFrom,
        list);
  }
}
