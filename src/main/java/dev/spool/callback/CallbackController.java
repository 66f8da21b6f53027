package dev.spool.callback;

import dev.spool.common.Ids;
import dev.spool.job.JobRepository;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /jobs/:id/callbacks} (docs/api.md §4.4 [ext]): every callback attempt, oldest first.
 */
@RestController
@RequestMapping("/api/v1")
class CallbackController {

  private final JobRepository jobs;
  private final CallbackOutbox outbox;

  CallbackController(JobRepository jobs, CallbackOutbox outbox) {
    this.jobs = jobs;
    this.outbox = outbox;
  }

  @GetMapping("/jobs/{jobId}/callbacks")
  List<CallbackOutbox.AttemptView> attempts(
      HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ);
    String space =
        (Ids.isValid(jobId) ? jobs.spaceOf(jobId) : Optional.<String>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.requireSpace(space);
    return outbox.attemptsOf(jobId, space);
  }
}
