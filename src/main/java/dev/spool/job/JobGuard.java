package dev.spool.job;

import dev.spool.common.Ids;
import dev.spool.space.Caller;
import dev.spool.web.ApiException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Explains why a guarded job update changed no row. The hot path is one UPDATE whose WHERE states
 * the precondition (id, space, status, delivery); only when it touches nothing does this read the
 * job to answer the right status: 404 unknown job, 403 another space, 409 stale delivery or wrong
 * state.
 */
@Component
public class JobGuard {

  private static final String STATE =
      "SELECT space_id, status, delivery_id FROM jobs WHERE id = :id";

  private final JdbcClient jdbc;

  JobGuard(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  private record State(String spaceId, String status, String deliveryId) {}

  /**
   * The exception for a guarded update on {@code jobId} that matched nothing.
   *
   * @param deliveryId the {@code x-delivery-id} the caller sent, or null
   * @param expected the state the action needs, for the message: "running", "pending", ...
   */
  public ApiException explain(Caller caller, String jobId, String deliveryId, String expected) {
    Optional<State> state =
        Ids.isValid(jobId)
            ? jdbc.sql(STATE)
                .param("id", jobId)
                .query(
                    (rs, n) ->
                        new State(
                            rs.getString("space_id"),
                            rs.getString("status"),
                            rs.getString("delivery_id")))
                .optional()
            : Optional.empty();
    if (state.isEmpty()) {
      return ApiException.notFound("Job");
    }
    State s = state.get();
    if (!caller.canAccess(s.spaceId())) {
      return ApiException.wrongSpace();
    }
    return conflict(s.status(), deliveryId, s.deliveryId(), expected);
  }

  /** One item of a batch call that matched nothing: its job id and the delivery it sent. */
  public record Miss(String jobId, String deliveryId) {}

  private static final String STATES =
      """
      SELECT id, space_id, status, delivery_id FROM jobs
       WHERE id = ANY (ARRAY(SELECT json_array_elements_text(CAST(:ids AS json))))
      """;

  /**
   * {@link #explain} for many items of a batch call in one query: each miss's exception by job id.
   * The batch names its space in the path, so a job of any other space is that item's 403, also for
   * an admin key; an id that is not a valid ULID is unknown (404).
   *
   * @param space the path's space
   * @param idsJson the misses' ids as a JSON array (the batch already holds the JSON mapper)
   */
  public Map<String, ApiException> explainAll(
      String space, Collection<Miss> misses, String idsJson, String expected) {
    Map<String, State> states = new HashMap<>();
    jdbc.sql(STATES)
        .param("ids", idsJson)
        .query(
            (rs, n) ->
                states.put(
                    rs.getString("id"),
                    new State(
                        rs.getString("space_id"),
                        rs.getString("status"),
                        rs.getString("delivery_id"))))
        .list();
    Map<String, ApiException> out = new HashMap<>();
    for (Miss miss : misses) {
      State s = states.get(miss.jobId());
      if (s == null) {
        out.put(miss.jobId(), ApiException.notFound("Job"));
      } else if (!s.spaceId().equals(space)) {
        out.put(miss.jobId(), ApiException.wrongSpace());
      } else {
        out.put(miss.jobId(), conflict(s.status(), miss.deliveryId(), s.deliveryId(), expected));
      }
    }
    return out;
  }

  /** The 409 for a job in {@code status} when the action needs {@code expected}. */
  public static ApiException conflict(
      String status, String sentDelivery, String currentDelivery, String expected) {
    JobStatus current = JobStatus.fromWire(status).orElseThrow();
    if (current.isTerminal()) {
      return ApiException.conflict("job_" + status, "Job is " + status);
    }
    if (sentDelivery != null && !sentDelivery.equals(currentDelivery)) {
      return ApiException.conflict(
          "stale_delivery", "Delivery " + sentDelivery + " is no longer current for this job");
    }
    return ApiException.conflict(
        "invalid_state", "Job is not " + expected + " (status: " + status + ")");
  }

  /** Reads the {@code x-delivery-id} header: null when absent or blank. */
  public static String deliveryHeader(jakarta.servlet.http.HttpServletRequest request) {
    String value = request.getHeader("x-delivery-id");
    return value == null || value.isBlank() ? null : value.trim();
  }
}
