package dev.spool.worker;

import dev.spool.common.Ids;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobGuard;
import dev.spool.job.JobView;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tools.jackson.databind.JsonNode;

/**
 * The worker API of docs/api.md §4.2: poll, claim, ack, complete, fail, kill. Every body is
 * optional (with or without a content type); a guarded update that matched nothing is explained by
 * {@link JobGuard} (404, 403, or 409 with the contract's message).
 */
@RestController
@RequestMapping(value = "/api/v1", consumes = MediaType.ALL_VALUE)
class WorkerController {

  static final String DEFAULT_KILL_REASON = "killed";
  static final String DEFAULT_ERROR = FailureText.DEFAULT_ERROR;

  private final SpaceRouting routing;
  private final LongPolls longPolls;
  private final Claims claims;
  private final Transitions transitions;
  private final JobGuard guard;
  private final JsonBodies bodies;

  WorkerController(
      LongPolls longPolls,
      Claims claims,
      Transitions transitions,
      JobGuard guard,
      JsonBodies bodies,
      SpaceRouting routing) {
    this.routing = routing;
    this.longPolls = longPolls;
    this.claims = claims;
    this.transitions = transitions;
    this.guard = guard;
    this.bodies = bodies;
  }

  @PostMapping("/spaces/{spaceId}/jobs/poll")
  DeferredResult<Delivery.Batch> poll(HttpServletRequest request, @PathVariable String spaceId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_POLL).requireSpace(spaceId);
    PollRequest poll = PollRequest.parse(bodies.optional(request));
    if (caller.isAdmin() && !claims.spaceExists(spaceId)) {
      throw ApiException.notFound("Space");
    }
    return longPolls.poll(caller.keyId(), spaceId, poll);
  }

  @PostMapping("/jobs/{jobId}/claim")
  Delivery claim(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_POLL);
    boolean ack = objectBody(request).map(WorkerController::ackFlag).orElse(false);
    return validId(jobId)
        .flatMap(id -> claims.claimOne(id, boundSpace(caller), ack))
        .orElseThrow(() -> guard.explain(caller, jobId, null, "pending"));
  }

  @PostMapping("/jobs/{jobId}/ack")
  JobView ack(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_ACK);
    objectBody(request);
    Transitions.Guard g = guardOf(caller, request, jobId);
    return validId(jobId)
        .flatMap(id -> transitions.ack(id, g))
        .orElseThrow(() -> guard.explain(caller, jobId, g.delivery(), "delivered"));
  }

  @PostMapping("/jobs/{jobId}/complete")
  JobView complete(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_COMPLETE);
    JsonNode result = objectBody(request).map(b -> b.get("result")).orElse(null);
    String resultJson = null;
    if (result != null && !result.isNull()) {
      resultJson = bodies.writeDocument(result, "result");
    }
    Transitions.Guard g = guardOf(caller, request, jobId);
    String stored = resultJson;
    return validId(jobId)
        .flatMap(id -> transitions.complete(id, g, stored))
        .orElseThrow(() -> guard.explain(caller, jobId, g.delivery(), "running"));
  }

  @PostMapping("/jobs/{jobId}/fail")
  JobView fail(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_FAIL);
    Optional<JsonNode> body = objectBody(request);
    JsonNode error = body.map(b -> b.get("error")).orElse(null);
    JsonNode retry = body.map(b -> b.get("retry")).orElse(null);
    if (error != null && JsonBodies.hasUnstorableText(error)) {
      throw invalid("error", "error " + JsonBodies.UNSTORABLE_TEXT);
    }
    if (error != null && !error.isNull() && !error.isString() && !error.isObject()) {
      throw invalid("error", "error must be a string or an object");
    }
    FailureText failure = FailureText.of(error, bodies);
    if (retry != null && !retry.isNull() && !retry.isBoolean()) {
      throw invalid("retry", "retry must be a boolean");
    }
    boolean retrying = retry == null || retry.isNull() || retry.asBoolean();
    Transitions.Guard g = guardOf(caller, request, jobId);
    return validId(jobId)
        .flatMap(id -> transitions.fail(id, g, failure.errorJson(), failure.lastError(), retrying))
        .orElseThrow(() -> guard.explain(caller, jobId, g.delivery(), "running"));
  }

  @PostMapping("/jobs/{jobId}/kill")
  JobView kill(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_KILL);
    JsonNode reason = objectBody(request).map(b -> b.get("reason")).orElse(null);
    if (reason != null && !reason.isNull() && !reason.isString()) {
      throw invalid("reason", "reason must be a string");
    }
    if (reason != null && JsonBodies.hasUnstorableText(reason)) {
      throw invalid("reason", "reason " + JsonBodies.UNSTORABLE_TEXT);
    }
    if (reason != null && reason.isString()) {
      bodies.writeDocument(reason, "reason"); // only its size matters: the text is stored
    }
    String text = reason == null || reason.isNull() ? DEFAULT_KILL_REASON : reason.asString();
    Transitions.Guard g = guardOf(caller, request, jobId);
    return validId(jobId)
        .flatMap(id -> transitions.kill(id, g, text))
        .orElseThrow(() -> guard.explain(caller, jobId, g.delivery(), "active"));
  }

  /** The optional body, which when present must be a JSON object. */
  private Optional<JsonNode> objectBody(HttpServletRequest request) {
    Optional<JsonNode> body = bodies.optional(request);
    if (body.isPresent() && !body.get().isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    return body;
  }

  /** A claim body's {@code ack} (ack on claim), read like a poll's. */
  private static boolean ackFlag(JsonNode body) {
    java.util.List<ApiException.FieldError> errors = new java.util.ArrayList<>();
    boolean ack = PollRequest.ack(body, errors);
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return ack;
  }

  /**
   * The guard of a call on one job. On Citus an admin call (no space of its own) is routed to the
   * job's space, looked up first, so the statement runs on one worker (docs/scaling.md).
   */
  private Transitions.Guard guardOf(Caller caller, HttpServletRequest request, String jobId) {
    String space = boundSpace(caller);
    if (space == null && Ids.isValid(jobId)) {
      space = routing.route(jobId, null);
    }
    return new Transitions.Guard(space, JobGuard.deliveryHeader(request));
  }

  /** The space a key is bound to; null for an admin key, which may act on every space. */
  private static String boundSpace(Caller caller) {
    return caller.isAdmin() ? null : caller.spaceId();
  }

  private static Optional<String> validId(String jobId) {
    return Ids.isValid(jobId) ? Optional.of(jobId) : Optional.empty();
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.validation(java.util.List.of(new ApiException.FieldError(field, message)));
  }
}
