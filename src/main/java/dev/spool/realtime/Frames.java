package dev.spool.realtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON text of every frame (docs/api.md §8): {@code type, jobId, status, data, timestamp}, plus
 * {@code jobName}, {@code seq} and (when they changed) {@code counts} on space streams. Event data
 * is the stored JSON text, written through unchanged.
 */
final class Frames {

  /** What a progress-only viewer may see of each event type; null: nothing. */
  static final Map<String, Boolean> PROGRESS_VIEW_WITH_DATA =
      Map.of("progress", true, "completed", false);

  private final JsonMapper mapper;

  Frames(JsonMapper mapper) {
    this.mapper = mapper;
  }

  @JsonPropertyOrder({"type", "jobId", "jobName", "status", "data", "timestamp", "seq", "counts"})
  record Event(
      String type,
      String jobId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String jobName,
      String status,
      @JsonRawValue String data,
      String timestamp,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long seq,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Long> counts) {}

  @JsonPropertyOrder({
    "type",
    "jobId",
    "status",
    "data",
    "timestamp",
    "spaceId",
    "seq",
    "streamInstanceId",
    "missed",
    "counts"
  })
  record Connected(
      String type,
      String jobId,
      String status,
      Object data,
      String timestamp,
      String spaceId,
      long seq,
      String streamInstanceId,
      boolean missed,
      Map<String, Long> counts) {}

  /** A job-stream frame showing everything. */
  String full(StoredEvent e) {
    return write(
        new Event(e.type(), e.jobId(), null, e.status(), e.data(), e.createdAt(), null, null));
  }

  /** A job-stream frame for a progress-only viewer, or null when the event is not shown. */
  String progressOnly(StoredEvent e) {
    Boolean withData = PROGRESS_VIEW_WITH_DATA.get(e.type());
    if (withData == null) {
      return null;
    }
    return write(
        new Event(
            e.type(),
            e.jobId(),
            null,
            e.status(),
            withData ? e.data() : null,
            e.createdAt(),
            null,
            null));
  }

  /** A space-stream frame. */
  String space(StoredEvent e, long seq, Map<String, Long> counts) {
    return write(
        new Event(
            e.type(), e.jobId(), e.jobName(), e.status(), e.data(), e.createdAt(), seq, counts));
  }

  /** The first frame of a job stream: current status and the data the viewer may see. */
  String init(String jobId, String status, String dataJson, String timestamp) {
    return write(new Event("init", jobId, null, status, dataJson, timestamp, null, null));
  }

  String connected(
      String spaceId,
      long seq,
      String instance,
      boolean missed,
      Map<String, Long> counts,
      String timestamp) {
    return write(
        new Connected(
            "connected", null, null, null, timestamp, spaceId, seq, instance, missed, counts));
  }

  String json(Object value) {
    return mapper.writeValueAsString(value);
  }

  private String write(Object frame) {
    return mapper.writeValueAsString(frame);
  }
}
