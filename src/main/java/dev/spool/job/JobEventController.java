package dev.spool.job;

import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.QueryParams;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /jobs/:id/events?cursor=&limit=} (docs/api.md §4.4 [ext]): a job's whole event
 * history, oldest first, a bounded page at a time. {@code nextCursor} is the id of the page's last
 * event, null on the last page; a page also ends early at the byte budget.
 */
@RestController
@RequestMapping("/api/v1/jobs/{jobId}/events")
class JobEventController {

  private final JobController jobs;
  private final JobEvents events;
  private final JobEventProperties properties;

  JobEventController(JobController jobs, JobEvents events, JobEventProperties properties) {
    this.jobs = jobs;
    this.events = events;
    this.properties = properties;
  }

  /** A page of events and the cursor to continue from, or null when this was the last page. */
  record Page(List<JobView.EventView> events, Long nextCursor) {}

  @GetMapping
  Page read(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ);
    long cursor = QueryParams.integer(request, "cursor", 0, 0, Long.MAX_VALUE);
    int limit =
        (int)
            QueryParams.integer(
                request, "limit", properties.defaultPageSize(), 1, properties.maxPageSize());
    JobView job = jobs.findVisible(caller, jobId);
    JobEvents.Slice slice = events.page(job.id(), cursor, limit);
    Long next =
        slice.more() && !slice.events().isEmpty()
            ? slice.events().get(slice.events().size() - 1).id()
            : null;
    return new Page(slice.events(), next);
  }
}
