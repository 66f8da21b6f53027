package dev.spool.worker;

import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import dev.spool.web.SpoolLimits;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The batch transitions of docs/api.md §4.2: {@code POST /spaces/:spaceId/jobs/ack|complete|fail}.
 * The whole request is checked as a poll is (scope, then the key's access to the path's space, then
 * the body, then — for an admin key — that the space exists); after that every item gets its own
 * outcome from {@link BatchTransitions}, and the answer is 200.
 */
@RestController
@RequestMapping(value = "/api/v1", consumes = MediaType.ALL_VALUE)
class WorkerBatchController {

  private final BatchTransitions batches;
  private final Claims claims;
  private final JsonBodies bodies;
  private final SpoolLimits limits;

  WorkerBatchController(
      BatchTransitions batches, Claims claims, JsonBodies bodies, SpoolLimits limits) {
    this.batches = batches;
    this.claims = claims;
    this.bodies = bodies;
    this.limits = limits;
  }

  @PostMapping("/spaces/{spaceId}/jobs/ack")
  BatchTransitions.Answer ack(HttpServletRequest request, @PathVariable String spaceId) {
    BatchRequest batch = read(request, spaceId, Scopes.JOBS_ACK, BatchRequest.Kind.ACK);
    return batches.ackOrComplete(spaceId, batch, false);
  }

  @PostMapping("/spaces/{spaceId}/jobs/complete")
  BatchTransitions.Answer complete(HttpServletRequest request, @PathVariable String spaceId) {
    BatchRequest batch = read(request, spaceId, Scopes.JOBS_COMPLETE, BatchRequest.Kind.COMPLETE);
    return batches.ackOrComplete(spaceId, batch, true);
  }

  @PostMapping("/spaces/{spaceId}/jobs/fail")
  BatchTransitions.Answer fail(HttpServletRequest request, @PathVariable String spaceId) {
    BatchRequest batch = read(request, spaceId, Scopes.JOBS_FAIL, BatchRequest.Kind.FAIL);
    return batches.fail(spaceId, batch);
  }

  private BatchRequest read(
      HttpServletRequest request, String spaceId, String scope, BatchRequest.Kind kind) {
    Caller caller = Caller.of(request).require(scope).requireSpace(spaceId);
    BatchRequest batch =
        BatchRequest.parse(bodies.required(request), kind, limits.jobsPerRequest());
    if (caller.isAdmin() && !claims.spaceExists(spaceId)) {
      throw ApiException.notFound("Space");
    }
    return batch;
  }
}
