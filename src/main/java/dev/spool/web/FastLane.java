package dev.spool.web;

import dev.spool.common.Ids;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's hottest calls answered by their controller methods without Spring MVC's dispatch around
 * them: a worker's ack and complete, and a single create ({@link Route}s, registered by the
 * packages that own the controllers).
 *
 * <p>Why: in the dispatch benchmark's drains Spool's request threads spent about 28 % of their CPU
 * in the dispatch itself (handler lookup, argument resolution, content negotiation and message
 * conversion of the answer, async and locale set-up, the request-handled event) — more than in the
 * controllers' own work — and a drain is bound by the machine's CPU. Those calls are nearly all of
 * a worker's requests; polls (once per up to 50 jobs) and everything else stay in MVC.
 *
 * <p>What stays the same: the lane runs after every other filter (key, scopes, rate limit, body
 * limit, {@code Accept}, metrics, request log), calls the controller's own method, and answers as
 * MVC would: the method's answer as JSON ({@code Content-Type: application/json}, a {@code
 * Content-Length}), or for an exception what {@link ApiExceptionHandler} answers. It sets the route
 * template that the HTTP metrics tag requests with. A request it does not recognize exactly goes on
 * to MVC unchanged: another method or path, a path parameter ({@code ;…}), an id that is not a
 * ULID, a context path, or a {@code Content-Type} that does not parse (MVC refuses it with 415
 * before any controller runs).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class FastLane extends OncePerRequestFilter {

  /**
   * One call the lane answers: {@code POST} on its route template with one variable, the id, which
   * must be a ULID (such as {@code /api/v1/jobs/{jobId}/ack}); answered by {@code handler}, the
   * controller method MVC would call, given the request and the id. Its answer is JSON: a {@link
   * ResponseEntity}, or the body of a 200. What it throws is answered as {@link
   * ApiExceptionHandler} answers it.
   */
  public static final class Route {

    private final String template;
    private final String prefix;
    private final String suffix;
    private final BiFunction<HttpServletRequest, String, Object> handler;

    /**
     * @param template the route template as the controller's mapping names it (also the HTTP
     *     metrics' {@code uri} tag), with exactly one {@code {variable}}
     */
    public Route(String template, BiFunction<HttpServletRequest, String, Object> handler) {
      int open = template.indexOf('{');
      int close = template.indexOf('}', open + 1);
      if (open < 0 || close < 0 || template.indexOf('{', close) >= 0) {
        throw new IllegalArgumentException("one {variable} expected in " + template);
      }
      this.template = template;
      this.prefix = template.substring(0, open);
      this.suffix = template.substring(close + 1);
      this.handler = handler;
    }

    public String template() {
      return template;
    }

    /** The id when the path is this route's; otherwise null. */
    String id(String path) {
      int end = prefix.length() + Ids.LENGTH;
      if (path.length() != end + suffix.length()
          || !path.startsWith(prefix)
          || !path.startsWith(suffix, end)) {
        return null;
      }
      String id = path.substring(prefix.length(), end);
      return Ids.isValid(id) ? id : null;
    }
  }

  private final List<Route> routes;
  private final JsonMapper mapper;
  private final ApiExceptionHandler exceptions;

  FastLane(List<Route> routes, JsonMapper mapper, ApiExceptionHandler exceptions) {
    this.routes = List.copyOf(routes);
    this.mapper = mapper;
    this.exceptions = exceptions;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || !ApiCalls.is(request);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Route route = null;
    String id = null;
    if (request.getContextPath().isEmpty() && parseableContentType(request)) {
      String path = request.getRequestURI();
      for (Route r : routes) {
        id = r.id(path);
        if (id != null) {
          route = r;
          break;
        }
      }
    }
    if (route == null) {
      chain.doFilter(request, response);
      return;
    }
    request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, route.template());
    ResponseEntity<?> answer;
    byte[] body;
    try {
      Object returned = route.handler.apply(request, id);
      answer = returned instanceof ResponseEntity<?> e ? e : ResponseEntity.ok(returned);
      body = bytes(answer.getBody());
    } catch (RuntimeException e) {
      answer = exceptions.toResponse(e);
      body = bytes(answer.getBody());
    }
    write(response, answer, body);
  }

  private byte[] bytes(Object body) {
    return body instanceof String s
        ? s.getBytes(StandardCharsets.UTF_8)
        : mapper.writeValueAsBytes(body);
  }

  /** As Spring MVC's JSON and string converters write an answer: JSON without a charset. */
  private static void write(HttpServletResponse response, ResponseEntity<?> answer, byte[] body)
      throws IOException {
    response.setStatus(answer.getStatusCode().value());
    answer
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
                values.forEach(v -> response.addHeader(name, v));
              }
            });
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** No {@code Content-Type}, or one that parses. */
  private static boolean parseableContentType(HttpServletRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return true;
    }
    try {
      MediaType.parseMediaType(type);
      return true;
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }
}
