package dev.spool.stats;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.spool.common.Ids;
import dev.spool.common.Timestamps;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.QueryParams;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /spaces/:spaceId/stats} [ext]: the space's time series, one point per step from the
 * step boundary at or before {@code from} up to {@code to}. Steps are aligned to UTC (a 5m step
 * starts at :00, :05, ...), so two requests over the same hour see the same points.
 */
@RestController
@RequestMapping("/api/v1")
class StatsController {

  static final Map<String, Duration> STEPS =
      Map.of("1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5), "1h", Duration.ofHours(1));

  /** The response: the window actually covered and its points, oldest first. */
  @JsonPropertyOrder({"spaceId", "from", "to", "step", "points"})
  record StatsView(String spaceId, String from, String to, String step, List<Point> points) {}

  /** One step: counts of what happened in it, the backlog at its end and the time percentiles. */
  @JsonPropertyOrder({
    "at",
    "created",
    "delivered",
    "completed",
    "retried",
    "dead",
    "killed",
    "backlog",
    "waitP50Ms",
    "waitP95Ms",
    "runP50Ms",
    "runP95Ms"
  })
  record Point(
      String at,
      long created,
      long delivered,
      long completed,
      long retried,
      long dead,
      long killed,
      long backlog,
      long waitP50Ms,
      long waitP95Ms,
      long runP50Ms,
      long runP95Ms) {}

  private final StatsQueries queries;
  private final StatsProperties properties;
  private final Clock clock;

  StatsController(StatsQueries queries, StatsProperties properties, Clock clock) {
    this.queries = queries;
    this.properties = properties;
    this.clock = clock;
  }

  @GetMapping("/spaces/{spaceId}/stats")
  StatsView stats(HttpServletRequest request, @PathVariable String spaceId) {
    Caller caller = Caller.of(request).require(Scopes.JOBS_READ).requireSpace(spaceId);
    String stepName = QueryParams.text(request, "step");
    stepName = stepName == null ? "1m" : stepName.trim();
    Duration step = STEPS.get(stepName);
    if (step == null) {
      throw invalid("step", "step must be one of 1m, 5m, 1h");
    }
    Instant to = instant(request, "to", clock.instant());
    Instant from = instant(request, "from", to.minus(Duration.ofHours(1)));
    if (!from.isBefore(to)) {
      throw invalid("from", "from must be before to");
    }
    long stepMillis = step.toMillis();
    Instant start =
        Instant.ofEpochMilli(Math.floorDiv(from.toEpochMilli(), stepMillis) * stepMillis);
    long steps = -Math.floorDiv(start.toEpochMilli() - to.toEpochMilli(), stepMillis);
    if (steps > properties.maxSteps()) {
      throw invalid(
          "from",
          "The window covers "
              + steps
              + " steps of "
              + stepName
              + " (at most "
              + properties.maxSteps()
              + "): narrow it or use a longer step");
    }
    if (caller.isAdmin() && !(Ids.isValid(spaceId) && queries.spaceExists(spaceId))) {
      throw ApiException.notFound("Space");
    }
    Instant end = start.plusMillis(steps * stepMillis);
    List<StatsQueries.Minute> minutes = queries.minutes(spaceId, start, end);
    long backlog = queries.backlogBefore(spaceId, start);
    List<Point> points = new ArrayList<>((int) steps);
    int i = 0;
    for (long s = 0; s < steps; s++) {
      Instant stepStart = start.plusMillis(s * stepMillis);
      Instant stepEnd = stepStart.plusMillis(stepMillis);
      long[] c = new long[6];
      Histogram waits = new Histogram();
      Histogram runs = new Histogram();
      for (; i < minutes.size() && minutes.get(i).minute().isBefore(stepEnd); i++) {
        StatsQueries.Minute m = minutes.get(i);
        for (int k = 0; k < 6; k++) {
          c[k] += m.counts()[k];
        }
        waits.addAll(m.waits());
        runs.addAll(m.runs());
        if (m.backlog() != null) {
          backlog = m.backlog();
        }
      }
      points.add(
          new Point(
              Timestamps.format(stepStart),
              c[0],
              c[1],
              c[2],
              c[3],
              c[4],
              c[5],
              backlog,
              waits.quantile(0.5),
              waits.quantile(0.95),
              runs.quantile(0.5),
              runs.quantile(0.95)));
    }
    return new StatsView(
        spaceId, Timestamps.format(start), Timestamps.format(end), stepName, points);
  }

  private static Instant instant(HttpServletRequest request, String name, Instant fallback) {
    String text = QueryParams.text(request, name);
    if (text == null) {
      return fallback;
    }
    return Timestamps.parse(text.trim())
        .orElseThrow(() -> invalid(name, name + " must be an ISO 8601 timestamp"));
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.validation(List.of(new FieldError(field, message)));
  }
}
