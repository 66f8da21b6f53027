package dev.spool.ops;

import dev.spool.space.Caller;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * One DEBUG line per request on logger {@value #LOGGER}: method, path, status, duration and the id
 * of the API key (never the key, never a header, never the query string — WebSocket upgrades may
 * carry {@code ?token=}). The values are also attached as key-value pairs, so the JSON log formats
 * carry them as fields. Runs outermost, so it sees the status of a 401 or 429 too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestLogFilter extends RequestEndFilter {

  static final String LOGGER = "dev.spool.requests";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  @Override
  protected boolean observes(HttpServletRequest request) {
    return log.isDebugEnabled();
  }

  @Override
  protected void ended(HttpServletRequest request, int status, Throwable failure, long start) {
    write(request, status, start);
  }

  private static void write(HttpServletRequest request, int status, long start) {
    long millis = (System.nanoTime() - start) / 1_000_000;
    Caller caller = (Caller) request.getAttribute(Caller.ATTRIBUTE);
    String keyId = caller == null ? "-" : caller.keyId();
    log.atDebug()
        .addKeyValue("http.request.method", request.getMethod())
        .addKeyValue("url.path", request.getRequestURI())
        .addKeyValue("http.response.status_code", status)
        .addKeyValue("event.duration_ms", millis)
        .addKeyValue("spool.key_id", keyId)
        .log(
            "{} {} {} {}ms key={}",
            request.getMethod(),
            request.getRequestURI(),
            status,
            millis,
            keyId);
  }
}
