package dev.spool.job;

import dev.spool.common.Ids;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import dev.spool.web.SpoolLimits;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Create Jobs (docs/api.md §4.1) and {@code GET /jobs/:id}. */
@RestController
@RequestMapping("/api/v1")
class JobController {

  /** Set on {@code GET /jobs/:id} when older events exist than the ones shown. */
  static final String EVENTS_TRUNCATED = "Events-Truncated";

  static final int MAX_IDEMPOTENCY_KEY = 255;

  private final JobRequestValidator validator;
  private final JobCreation creation;
  private final JobRepository jobs;
  private final JsonBodies bodies;
  private final SpoolLimits limits;
  private final JobEvents events;

  JobController(
      JobRequestValidator validator,
      JobCreation creation,
      JobRepository jobs,
      JsonBodies bodies,
      SpoolLimits limits,
      JobEvents events) {
    this.events = events;
    this.validator = validator;
    this.creation = creation;
    this.jobs = jobs;
    this.bodies = bodies;
    this.limits = limits;
  }

  @PostMapping(value = "/spaces/{spaceId}/jobs", consumes = MediaType.ALL_VALUE)
  ResponseEntity<String> create(HttpServletRequest request, @PathVariable String spaceId) {
    Caller.of(request).require(Scopes.JOBS_CREATE).requireSpace(spaceId);
    JsonBodies.requireJsonContentType(request);
    byte[] raw = JsonBodies.readLimited(request, limits.requestBody().toBytes());
    if (raw.length == 0) {
      throw ApiException.badRequest("Request body is required");
    }
    if (!Ids.isValid(spaceId)) {
      throw ApiException.notFound("Space");
    }
    JsonNode body = bodies.parse(raw);
    JobRequestValidator.Batch batch = validator.validate(body);
    Optional<String> idemKey = Optional.ofNullable(request.getHeader("Idempotency-Key"));
    if (idemKey.isPresent()
        && (idemKey.get().isEmpty() || idemKey.get().length() > MAX_IDEMPOTENCY_KEY)) {
      throw ApiException.badRequest("Idempotency-Key must be 1 to 255 characters");
    }
    JobCreation.Created created = creation.create(spaceId, batch, body, idemKey);
    ResponseEntity.BodyBuilder response =
        ResponseEntity.status(HttpStatus.CREATED).contentType(MediaType.APPLICATION_JSON);
    if (created.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(created.responseJson());
  }

  /**
   * The job with its latest events (a count and a byte budget: {@link JobEventProperties}); when
   * older ones exist, {@value #EVENTS_TRUNCATED}{@code : true} says to page them with {@code GET
   * /jobs/:id/events}.
   */
  @GetMapping("/jobs/{jobId}")
  ResponseEntity<JobView> get(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ);
    JobView job = findVisible(caller, jobId);
    JobEvents.Slice recent = events.recent(job.id());
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
    if (recent.more()) {
      ok.header(EVENTS_TRUNCATED, "true");
    }
    return ok.body(job.withEvents(recent.events()));
  }

  /** The job if it exists and the caller's key may see its space (404 / 403 otherwise). */
  JobView findVisible(Caller caller, String jobId) {
    JobView job =
        (Ids.isValid(jobId) ? jobs.find(jobId) : Optional.<JobView>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.requireSpace(job.spaceId());
    return job;
  }
}
