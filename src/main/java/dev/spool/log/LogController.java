package dev.spool.log;

import dev.spool.common.Ids;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobGuard;
import dev.spool.job.JobRepository;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import dev.spool.web.QueryParams;
import dev.spool.web.SpoolLimits;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /jobs/:id/logs} (docs/api.md §4.3) and {@code GET /jobs/:id/logs} (§4.4). */
@RestController
@RequestMapping("/api/v1/jobs/{jobId}/logs")
class LogController {

  static final int MAX_QUERY = 1000;

  private final SpaceRouting routing;
  private final LogStore store;
  private final JobGuard guard;
  private final JobRepository jobs;
  private final LogProperties properties;
  private final SpoolLimits limits;
  private final LogBatchReader reader;

  LogController(
      LogStore store,
      JobGuard guard,
      JobRepository jobs,
      JsonBodies bodies,
      LogProperties properties,
      SpoolLimits limits,
      SpaceRouting routing) {
    this.routing = routing;
    this.store = store;
    this.guard = guard;
    this.jobs = jobs;
    this.properties = properties;
    this.limits = limits;
    this.reader =
        new LogBatchReader(
            bodies, properties.maxLinesPerRequest(), properties.maxBatchSize().toBytes());
  }

  @PostMapping(consumes = MediaType.ALL_VALUE)
  Map<String, Integer> append(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).requireAny(Scopes.JOBS_PROGRESS, Scopes.JOBS_EVENT);
    LogBatchReader.Format format = LogBatchReader.format(request.getContentType());
    boolean gzip = LogBatchReader.gzip(request.getHeader("Content-Encoding"));
    // compressed bodies are bounded by the request limit, plain ones by the batch limit directly
    byte[] raw =
        JsonBodies.readLimited(
            request, gzip ? limits.requestBody().toBytes() : properties.maxBatchSize().toBytes());
    if (gzip && raw.length == 0) {
      throw ApiException.badRequest("The log batch contains no records");
    }
    List<LogBatchReader.LogRecord> records = reader.read(gzip ? reader.inflate(raw) : raw, format);
    String delivery = JobGuard.deliveryHeader(request);
    // on Citus an admin call is routed to the job's space, looked up first (docs/scaling.md)
    String space = caller.isAdmin() ? routing.route(jobId, null) : caller.spaceId();
    int stored = store.append(jobId, delivery, space, records);
    if (stored == 0) {
      throw guard.explain(caller, jobId, delivery, "delivered or running");
    }
    return Map.of("accepted", stored);
  }

  /** A page of logs and the seq to continue after, or null when this was the last page. */
  record Page(List<LogStore.LogLine> logs, Long nextCursor) {}

  @GetMapping
  Page read(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ);
    long after = QueryParams.integer(request, "after", 0, 0, Long.MAX_VALUE);
    int limit =
        (int)
            QueryParams.integer(
                request, "limit", properties.defaultPageSize(), 1, properties.maxPageSize());
    LogLevel minLevel = LogLevel.TRACE;
    String level = QueryParams.text(request, "level");
    if (level != null) {
      minLevel =
          LogLevel.parse(level)
              .orElseThrow(
                  () ->
                      ApiException.validation(
                          List.of(
                              new FieldError("level", "level must be one of " + LogLevel.NAMES))));
    }
    String q = QueryParams.text(request, "q");
    if (q != null && q.length() > MAX_QUERY) {
      throw ApiException.validation(
          List.of(new FieldError("q", "q must be at most " + MAX_QUERY + " characters")));
    }
    String space =
        (Ids.isValid(jobId) ? jobs.spaceOf(jobId) : java.util.Optional.<String>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.requireSpace(space);
    LogStore.Page page =
        store.page(jobId, after, minLevel, q, limit, properties.pageBudget().toBytes());
    List<LogStore.LogLine> lines = page.lines();
    Long next = page.more() && !lines.isEmpty() ? lines.get(lines.size() - 1).seq() : null;
    return new Page(lines, next);
  }
}
