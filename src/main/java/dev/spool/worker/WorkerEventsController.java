package dev.spool.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.spool.common.Ids;
import dev.spool.common.Timestamps;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobEventType;
import dev.spool.job.JobGuard;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Worker events (docs/api.md §4.3): progress, checkpoint, custom event and keepalive on a running
 * job. Each is one guarded statement in {@link WorkerEvents}; a guard that matches nothing is
 * explained (404 / 403 / 409) by {@link JobGuard}.
 */
@RestController
@RequestMapping(value = "/api/v1/jobs/{jobId}", consumes = MediaType.ALL_VALUE)
class WorkerEventsController {

  static final int MAX_EVENT_TYPE = 100;

  /** The realtime streams' own frame types, which sit next to events in the same streams. */
  static final Set<String> FRAME_TYPES = Set.of("init", "connected", "log", "logs");

  /**
   * Types Spool itself writes ({@link JobEventType}) plus the realtime frame types. A worker may
   * not emit them as custom events: subscribers react to them (a fake {@code completed} would close
   * job streams, a fake {@code progress} would reach progress-only viewers unvalidated).
   */
  static final Set<String> RESERVED_TYPES =
      Stream.concat(
              Arrays.stream(JobEventType.values()).map(JobEventType::wire), FRAME_TYPES.stream())
          .collect(Collectors.toUnmodifiableSet());

  private final WorkerEvents events;
  private final JobGuard guard;
  private final JsonBodies bodies;

  private final SpaceRouting routing;

  WorkerEventsController(
      WorkerEvents events, JobGuard guard, JsonBodies bodies, SpaceRouting routing) {
    this.routing = routing;
    this.events = events;
    this.guard = guard;
    this.bodies = bodies;
  }

  /** The answer to every worker event: what was appended and the new execution deadline. */
  record Accepted(
      String jobId,
      String status,
      long eventId,
      String deadlineAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonRawValue String progress) {}

  @PostMapping("/progress")
  Accepted progress(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_PROGRESS);
    JsonNode body = bodies.required(request);
    JsonNode progress = bodies.mapper().valueToTree(ProgressInput.validate(body));
    String progressJson = bodies.writeDocument(progress, "Progress");
    WorkerEvents.Target target = target(caller, request, jobId);
    return answer(caller, target, events.progress(target, progressJson));
  }

  @PostMapping("/checkpoint")
  Accepted checkpoint(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_EVENT);
    JsonNode body = bodies.required(request);
    if (!body.isObject()) {
      throw ApiException.badRequest("Checkpoint must be a JSON object");
    }
    String checkpointJson = bodies.writeDocument(body, "Checkpoint");
    WorkerEvents.Target target = target(caller, request, jobId);
    return answer(caller, target, events.checkpoint(target, checkpointJson));
  }

  @PostMapping("/event")
  Accepted event(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_EVENT);
    JsonNode body = bodies.required(request);
    if (!body.isObject()) {
      throw ApiException.badRequest("Event must be a JSON object with type and data");
    }
    String type = eventType(body.get("type"));
    JsonNode data = body.get("data");
    String dataJson = null;
    if (data != null && !data.isNull()) {
      dataJson = bodies.writeDocument(data, "Event data");
    }
    WorkerEvents.Target target = target(caller, request, jobId);
    return answer(caller, target, events.custom(target, type, dataJson));
  }

  @PostMapping("/keepalive")
  Accepted keepalive(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_KEEPALIVE);
    bodies.optional(request); // the body is ignored, but a non-empty one must still be JSON
    WorkerEvents.Target target = target(caller, request, jobId);
    return answer(caller, target, events.keepalive(target));
  }

  private static String eventType(JsonNode type) {
    String message = null;
    if (type == null || type.isNull()) {
      message = "type is required";
    } else if (!type.isString()
        || type.asString().isEmpty()
        || type.asString().length() > MAX_EVENT_TYPE) {
      message = "type must be a string of 1 to 100 characters";
    } else if (type.asString().chars().anyMatch(Character::isISOControl)) {
      message = "type must not contain control characters";
    } else if (RESERVED_TYPES.contains(type.asString())) {
      message = "type \"" + type.asString() + "\" is reserved for events Spool writes itself";
    }
    if (message != null) {
      throw ApiException.validation(List.of(new FieldError("type", message)));
    }
    return type.asString();
  }

  /** On Citus an admin call is routed to the job's space, looked up first (docs/scaling.md). */
  private WorkerEvents.Target target(Caller caller, HttpServletRequest request, String jobId) {
    String space = caller.isAdmin() ? null : caller.spaceId();
    if (space == null && Ids.isValid(jobId)) {
      space = routing.route(jobId, null);
    }
    return new WorkerEvents.Target(jobId, JobGuard.deliveryHeader(request), space);
  }

  private Accepted answer(
      Caller caller, WorkerEvents.Target target, Optional<WorkerEvents.Appended> appended) {
    WorkerEvents.Appended a =
        appended.orElseThrow(
            () -> guard.explain(caller, target.jobId(), target.deliveryId(), "running"));
    return new Accepted(
        target.jobId(), "running", a.eventId(), Timestamps.format(a.deadlineAt()), a.progress());
  }
}
