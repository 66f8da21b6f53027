package dev.spool.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The {@code http.server.requests} timer of every API request, with the tags Spring's own
 * instrumentation gives it ({@code method}, {@code uri} template, {@code status}, {@code outcome},
 * {@code exception}, {@code error}) and the buckets of {@link LatencyHistograms}.
 *
 * <p>Why not Spring's: its observation-based instrumentation (turned off in application.yml with
 * {@code management.observations.enable.http.server.requests=false}) builds an observation context,
 * key-value sets, an "active requests" long-task timer and a meter lookup for every request — about
 * 15 % of Spool's CPU time on a worker call in the lifecycle benchmark. Here a request costs one
 * map lookup of a cached timer and one recording. Long polls are timed to their answer ({@link
 * RequestEndFilter}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class HttpServerMetrics extends RequestEndFilter {

  static final String METER = "http.server.requests";

  private record Key(String method, String uri, int status, String exception) {}

  /**
   * The methods that keep their name as a tag; anything else a client sends (any token is a valid
   * HTTP method, and requests are timed before authentication) is tagged {@code OTHER}.
   */
  static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

  private static final Logger log = LoggerFactory.getLogger(HttpServerMetrics.class);

  private final MeterRegistry registry;
  private final int maxSeries;
  private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicBoolean capReported = new AtomicBoolean();

  HttpServerMetrics(MeterRegistry registry, OpsProperties ops) {
    this.registry = registry;
    this.maxSeries = ops.httpMaxSeries();
  }

  @Override
  protected void ended(HttpServletRequest request, int status, Throwable failure, long start) {
    String exception = failure == null ? "none" : failure.getClass().getSimpleName();
    Key key = new Key(method(request), uri(request, status), status, exception);
    Timer timer = timers.get(key);
    if (timer == null) {
      // the tags above are bounded by the application's routes; the cap is the last line of defence
      if (timers.size() >= maxSeries) {
        if (capReported.compareAndSet(false, true)) {
          log.warn(
              "http.server.requests reached {} series; new series are not recorded", maxSeries);
        }
        return;
      }
      timer = timers.computeIfAbsent(key, this::timer);
    }
    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  static String method(HttpServletRequest request) {
    String method = request.getMethod();
    return KNOWN_METHODS.contains(method) ? method : "OTHER";
  }

  private Timer timer(Key key) {
    return Timer.builder(METER)
        .description("Duration of HTTP server request handling")
        .tag("method", key.method())
        .tag("uri", key.uri())
        .tag("status", Integer.toString(key.status()))
        .tag("outcome", outcome(key.status()))
        .tag("exception", key.exception())
        .tag("error", key.exception())
        .register(registry);
  }

  /**
   * The matched URI template; never the raw path (unbounded label values). A request no route
   * matched (an unknown path, or one refused by a filter before routing) gets one of three fixed
   * values.
   */
  static String uri(HttpServletRequest request, int status) {
    Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
    if (pattern instanceof String p && !p.isEmpty()) {
      return p;
    }
    if (status >= 300 && status < 400) {
      return "REDIRECTION";
    }
    return status == 404 ? "NOT_FOUND" : "UNKNOWN";
  }

  static String outcome(int status) {
    if (status >= 100 && status < 200) {
      return "INFORMATIONAL";
    }
    if (status >= 200 && status < 300) {
      return "SUCCESS";
    }
    if (status >= 300 && status < 400) {
      return "REDIRECTION";
    }
    if (status >= 400 && status < 500) {
      return "CLIENT_ERROR";
    }
    return status >= 500 && status < 600 ? "SERVER_ERROR" : "UNKNOWN";
  }
}
