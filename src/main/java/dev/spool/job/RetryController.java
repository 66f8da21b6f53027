package dev.spool.job;

import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /jobs/:jobId/retry} [ext]: a dead or killed job runs again as a new job. */
@RestController
@RequestMapping("/api/v1")
class RetryController {

  private final JobRetries retries;

  RetryController(JobRetries retries) {
    this.retries = retries;
  }

  /** The body is ignored (none is needed); 201 {@code {id, spaceId}} of the new job. */
  @PostMapping("/jobs/{jobId}/retry")
  @ResponseStatus(HttpStatus.CREATED)
  JobRetries.Retried retry(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_CREATE);
    return retries.retry(jobId, caller.isAdmin() ? null : caller.spaceId());
  }
}
