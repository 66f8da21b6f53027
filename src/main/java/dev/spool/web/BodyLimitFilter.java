package dev.spool.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every endpoint the body limit it needs, decided from the path alone before anything reads
 * or parses the body (and before the API key is looked up): a declared {@code Content-Length} over
 * it is refused with 413 at once; a chunked body is cut off by {@link JsonBodies#readLimited} at
 * the same limit, which this filter leaves on the request.
 *
 * <ul>
 *   <li>create, the batch worker calls and log ingestion: {@code spool.limits.request-body} (10
 *       MiB: a thousand jobs, or a log batch);
 *   <li>worker calls that carry a document (complete, fail, kill, progress, checkpoint, event):
 *       {@code spool.limits.worker-body}, by default the document limit plus 64 KiB;
 *   <li>everything else (ack, keepalive, claim, poll, the admin API, dashboard sign-in): {@code
 *       spool.limits.small-body} (64 KiB).
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 14)
class BodyLimitFilter extends OncePerRequestFilter {

  /** The request attribute holding the limit in bytes ({@link Long}). */
  static final String ATTRIBUTE = BodyLimitFilter.class.getName() + ".limit";

  private static final Pattern BULK =
      Pattern.compile("/api/v1/(spaces/[^/]+/jobs(/(ack|complete|fail))?|jobs/[^/]+/logs)/?");
  private static final Pattern DOCUMENT =
      Pattern.compile("/api/v1/jobs/[^/]+/(complete|fail|kill|progress|checkpoint|event)/?");

  private final SpoolLimits limits;
  private final ErrorWriter errors;

  BodyLimitFilter(SpoolLimits limits, ErrorWriter errors) {
    this.limits = limits;
    this.errors = errors;
  }

  /** The largest body the endpoint at {@code path} (without the context path) accepts. */
  long limitFor(String path) {
    if (BULK.matcher(path).matches()) {
      return limits.requestBody().toBytes();
    }
    if (DOCUMENT.matcher(path).matches()) {
      return limits.workerBodyBytes();
    }
    return limits.smallBody().toBytes();
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    long limit = limitFor(path);
    if (request.getContentLengthLong() > limit) {
      errors.write(response, JsonBodies.tooLarge(limit));
      return;
    }
    request.setAttribute(ATTRIBUTE, limit);
    chain.doFilter(request, response);
  }
}
