package dev.spool.support;

import dev.spool.common.Timestamps;
import dev.spool.job.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link JobFactory} writes for one job: the row as the engine would have left it, the events
 * of the way there, and for a terminal job the last change (made by an UPDATE so the triggers on
 * status fire). Timestamps not asked for are the transaction's now.
 */
final class JobRows {

  private JobRows() {}

  /** A job's options as {@link JobFactory.Job} collected them (null: not asked for). */
  record Opts(
      String spaceId,
      String name,
      JobStatus status,
      int attempt,
      Integer maxRetries,
      int timeoutSeconds,
      int backoffSeconds,
      Instant createdAt,
      Instant availableAt,
      Instant deliveredAt,
      Instant startedAt,
      Instant deadlineAt,
      Instant finishedAt,
      String payload,
      String result,
      String error,
      String reason,
      String progress,
      String callbackUrl,
      String callbackHeaders) {}

  /** Adds the job's row, its events and (when terminal) its last change. */
  static void plan(
      Opts o,
      String id,
      Instant now,
      List<Map<String, Object>> rows,
      List<Map<String, Object>> events,
      List<Map<String, Object>> finishes) {
    Path path = path(o, now);
    Events ev = new Events(id, o.spaceId(), events);
    JobStatus before = history(o, id, path, ev);
    String lastError = o.attempt() > 0 ? "attempt " + (o.attempt() - 1) + " failed" : null;
    if (o.status().isTerminal()) {
      finishes.add(finish(o, id, path, before, lastError, ev));
    }
    rows.add(row(o, id, path, before, lastError, ev));
  }

  /** The times and steps of the way to the asked state. */
  private static Path path(Opts o, Instant now) {
    Instant created = o.createdAt() != null ? o.createdAt() : now;
    boolean scheduled = o.status() == JobStatus.SCHEDULED;
    // a kill needs no delivery: killed from pending unless the job was started
    boolean started =
        o.status() == JobStatus.RUNNING
            || o.status() == JobStatus.COMPLETED
            || o.status() == JobStatus.DEAD
            || (o.status() == JobStatus.KILLED && o.startedAt() != null);
    boolean delivered = started || o.status() == JobStatus.DELIVERED;
    Instant deliveredTime = o.deliveredAt() != null ? o.deliveredAt() : created;
    return new Path(
        created,
        o.availableAt() != null ? o.availableAt() : scheduled ? now.plus(HOUR) : created,
        scheduled && o.attempt() == 0,
        delivered,
        started,
        deliveredTime,
        o.startedAt() != null ? o.startedAt() : deliveredTime,
        o.finishedAt() != null ? o.finishedAt() : now);
  }

  /**
   * The events up to the current attempt's last change before a terminal one: created (or
   * scheduled), each earlier attempt delivered, acked and retried, then this attempt's delivery and
   * ack as far as it got. Returns the status they leave the job in.
   */
  private static JobStatus history(Opts o, String id, Path path, Events ev) {
    boolean scheduled = o.status() == JobStatus.SCHEDULED;
    if (path.bornScheduled()) {
      String data = "{\"scheduledFor\":\"" + Timestamps.format(path.due()) + "\"}";
      ev.add("scheduled", data, 0, path.created(), null, JobStatus.SCHEDULED);
    } else {
      ev.add("created", null, 0, path.created(), null, JobStatus.PENDING);
    }
    for (int k = 0; k < o.attempt(); k++) {
      JobStatus back = k == o.attempt() - 1 && scheduled ? JobStatus.SCHEDULED : JobStatus.PENDING;
      String delivery = "{\"deliveryId\":\"d-" + id + "-" + k + "\"}";
      String retried =
          "{\"error\":\"attempt %d failed\",\"retryAt\":\"%s\",\"nextAttemptNumber\":%d}"
              .formatted(k, Timestamps.format(path.due()), k + 1);
      ev.add("delivered", delivery, k, path.created(), JobStatus.PENDING, JobStatus.DELIVERED);
      ev.add("acked", null, k, path.created(), JobStatus.DELIVERED, JobStatus.RUNNING);
      ev.add("retried", retried, k, path.created(), JobStatus.RUNNING, back);
    }
    JobStatus before = scheduled ? JobStatus.SCHEDULED : JobStatus.PENDING;
    if (path.delivered()) {
      String data = "{\"deliveryId\":\"d-" + id + "\"}";
      ev.add("delivered", data, o.attempt(), path.deliveredAt(), before, JobStatus.DELIVERED);
      before = JobStatus.DELIVERED;
    }
    if (path.started()) {
      ev.add("acked", null, o.attempt(), path.startedAt(), JobStatus.DELIVERED, JobStatus.RUNNING);
      before = JobStatus.RUNNING;
      if (o.progress() != null) {
        ev.add("progress", o.progress(), o.attempt(), path.startedAt(), null, null);
      }
    }
    return before;
  }

  /** The terminal event, and the row of {@code JobFactory.FINISH} that makes the change. */
  private static Map<String, Object> finish(
      Opts o, String id, Path path, JobStatus before, String lastError, Events ev) {
    String stored;
    String data;
    switch (o.status()) {
      case COMPLETED -> {
        stored = o.result();
        data = "{\"result\":" + (o.result() == null ? "null" : o.result()) + "}";
      }
      case DEAD -> {
        lastError = o.error() == null ? "failed" : o.error();
        stored = "{\"error\":" + TestApi.JSON.writeValueAsString(lastError) + "}";
        data = stored;
      }
      default -> {
        String why = o.reason() == null ? "killed" : o.reason();
        stored = "{\"reason\":" + TestApi.JSON.writeValueAsString(why) + "}";
        data = stored;
      }
    }
    ev.add(o.status().wire(), data, o.attempt(), path.finishedAt(), before, o.status());
    Map<String, Object> finish = new LinkedHashMap<>();
    finish.put("id", id);
    finish.put("status", o.status().wire());
    finish.put("result", stored);
    finish.put("last_error", lastError);
    finish.put("completed_at", path.finishedAt().toString());
    return finish;
  }

  /** The row as the last change left it; a terminal job's as the change before (then FINISH). */
  private static Map<String, Object> row(
      Opts o, String id, Path path, JobStatus rowStatus, String lastError, Events ev) {
    Instant deadline = null;
    if (rowStatus == JobStatus.DELIVERED || rowStatus == JobStatus.RUNNING) {
      Instant from = rowStatus == JobStatus.RUNNING ? path.startedAt() : path.deliveredAt();
      deadline = o.deadlineAt() != null ? o.deadlineAt() : from.plusSeconds(o.timeoutSeconds());
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("space_id", o.spaceId());
    row.put("name", o.name());
    row.put("payload", o.payload());
    row.put("status", rowStatus.wire());
    row.put("previous_status", ev.lastFrom());
    row.put("max_retries", o.maxRetries() != null ? o.maxRetries() : Math.max(3, o.attempt()));
    row.put("attempt_number", o.attempt());
    row.put("timeout_seconds", o.timeoutSeconds());
    row.put("backoff_seconds", o.backoffSeconds());
    row.put("available_at", path.due().toString());
    row.put("scheduled_for", path.bornScheduled() ? path.due().toString() : null);
    row.put("callback_url", o.callbackUrl());
    row.put("callback_headers", o.callbackHeaders());
    row.put("progress", path.started() ? o.progress() : null);
    row.put("last_error", o.status().isTerminal() ? null : lastError);
    row.put("delivery_id", path.delivered() ? "d-" + id : null);
    row.put("deadline_at", deadline == null ? null : deadline.toString());
    row.put("delivered_at", path.delivered() ? path.deliveredAt().toString() : null);
    row.put("started_at", path.started() ? path.startedAt().toString() : null);
    row.put("created_at", path.created().toString());
    row.put("updated_at", ev.lastAt().toString());
    return row;
  }

  /** When the job was created and became due, and how far its current attempt got, when. */
  private record Path(
      Instant created,
      Instant due,
      boolean bornScheduled,
      boolean delivered,
      boolean started,
      Instant deliveredAt,
      Instant startedAt,
      Instant finishedAt) {}

  private static final Duration HOUR = Duration.ofHours(1);

  /** A job's events in order, as rows of the factory's insert ({@code events}). */
  private static final class Events {
    private final String jobId;
    private final String spaceId;
    private final List<Map<String, Object>> out;
    private JobStatus lastFrom;
    private Instant lastAt;

    Events(String jobId, String spaceId, List<Map<String, Object>> out) {
      this.jobId = jobId;
      this.spaceId = spaceId;
      this.out = out;
    }

    void add(String type, String data, int attempt, Instant at, JobStatus from, JobStatus to) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("ord", out.size());
      e.put("job_id", jobId);
      e.put("space_id", spaceId);
      e.put("type", type);
      e.put("data", data);
      e.put("attempt_number", attempt);
      e.put("created_at", at.toString());
      e.put("from_status", from == null ? null : from.wire());
      e.put("to_status", to == null ? null : to.wire());
      out.add(e);
      if (to != null) {
        lastFrom = from;
      }
      lastAt = at;
    }

    String lastFrom() {
      return lastFrom == null ? null : lastFrom.wire();
    }

    Instant lastAt() {
      return lastAt;
    }
  }
}
