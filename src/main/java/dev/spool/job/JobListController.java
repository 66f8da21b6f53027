package dev.spool.job;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.spool.common.Ids;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.QueryParams;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /spaces/:id/jobs} and {@code GET /jobs/:id/progress} (docs/api.md §4.4). */
@RestController
@RequestMapping("/api/v1")
class JobListController {

  static final String NEXT_CURSOR = "Next-Cursor";

  private static final String STATUS_NAMES =
      Arrays.stream(JobStatus.values()).map(JobStatus::wire).collect(Collectors.joining(", "));

  private final JobQueries queries;
  private final NamePrefixQueries prefixQueries;
  private final JobListProperties properties;

  JobListController(
      JobQueries queries, NamePrefixQueries prefixQueries, JobListProperties properties) {
    this.queries = queries;
    this.prefixQueries = prefixQueries;
    this.properties = properties;
  }

  /**
   * Newest first. Fetches one row more than the page to know whether a next page exists; only then
   * is {@code Next-Cursor} sent, also on offset pages so a client can switch to the keyset.
   */
  @GetMapping("/spaces/{spaceId}/jobs")
  ResponseEntity<List<JobView>> list(HttpServletRequest request, @PathVariable String spaceId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ).requireSpace(spaceId);
    List<String> statuses = statuses(QueryParams.text(request, "status"));
    String name = QueryParams.text(request, "name");
    if (name != null && name.length() > 255) {
      throw ApiException.validation(
          List.of(new FieldError("name", "name must be at most 255 characters")));
    }
    String prefix = namePrefix(request, name);
    int limit =
        (int)
            QueryParams.integer(
                request, "limit", properties.defaultLimit(), 1, properties.maxLimit());
    long offset = QueryParams.integer(request, "offset", 0, 0, Integer.MAX_VALUE);
    if (offset > properties.maxOffset()) {
      throw ApiException.validation(
          List.of(
              new FieldError(
                  "offset",
                  "offset must be at most "
                      + properties.maxOffset()
                      + "; page deeper with the cursor (the Next-Cursor header)")));
    }
    String cursor = QueryParams.text(request, "cursor");
    String before = cursor == null ? null : ListCursor.decode(cursor);
    if (before != null && offset > 0) {
      throw ApiException.validation(
          List.of(new FieldError("offset", "offset cannot be combined with cursor")));
    }
    if (caller.isAdmin() && !(Ids.isValid(spaceId) && queries.spaceExists(spaceId))) {
      throw ApiException.notFound("Space");
    }
    List<JobView> rows =
        prefix != null
            ? prefixQueries.list(spaceId, statuses, prefix, before, limit + 1, offset)
            : queries.list(spaceId, statuses, name, before, limit + 1, offset);
    ResponseEntity.BodyBuilder response = ResponseEntity.ok();
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      response.header(NEXT_CURSOR, ListCursor.encode(rows.get(limit - 1).id()));
    }
    return response.body(rows);
  }

  /**
   * [ext] {@code namePrefix}: 1–255 characters when present (an empty one is a 400 rather than "no
   * filter", so a client never lists everything by mistake), and refused next to {@code name}.
   */
  static String namePrefix(HttpServletRequest request, String name) {
    String prefix = request.getParameter("namePrefix");
    if (prefix == null) {
      return null;
    }
    String problem = null;
    if (prefix.isEmpty() || prefix.length() > 255) {
      problem = "namePrefix must be 1 to 255 characters";
    } else if (prefix.chars().anyMatch(Character::isISOControl)) {
      problem = "namePrefix must not contain control characters";
    } else if (name != null) {
      problem = "namePrefix cannot be combined with name";
    }
    if (problem != null) {
      throw ApiException.validation(List.of(new FieldError("namePrefix", problem)));
    }
    return prefix;
  }

  /** {@code {jobId, status, progress}}; also open to the space's public progress key. */
  record ProgressView(String jobId, String status, @JsonRawValue String progress) {}

  @GetMapping("/jobs/{jobId}/progress")
  ProgressView progress(HttpServletRequest request, @PathVariable String jobId) {
    Caller caller = Caller.of(request).requireAny(Scopes.JOBS_READ, Scopes.JOBS_READ_PROGRESS);
    JobQueries.Progress p =
        (Ids.isValid(jobId)
                ? queries.progress(jobId)
                : java.util.Optional.<JobQueries.Progress>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.requireSpace(p.spaceId());
    return new ProgressView(jobId, p.status(), p.progress());
  }

  /** The comma-separated status filter, deduplicated; 400 naming an unknown status. */
  static List<String> statuses(String param) {
    List<String> out = new ArrayList<>();
    if (param == null) {
      return out;
    }
    for (String part : param.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      if (JobStatus.fromWire(s).isEmpty()) {
        throw ApiException.validation(
            List.of(
                new FieldError(
                    "status", "status must be any of " + STATUS_NAMES + " (got \"" + s + "\")")));
      }
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }
}
