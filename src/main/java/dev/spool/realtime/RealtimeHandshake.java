package dev.spool.realtime;

import dev.spool.common.Ids;
import dev.spool.job.JobRepository;
import dev.spool.limits.AddressThrottle;
import dev.spool.limits.AddressThrottles;
import dev.spool.space.ApiKeys;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ErrorBody;
import dev.spool.web.TooManyAttempts;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates a realtime upgrade before the socket opens (docs/api.md §8): the key comes from
 * {@code ?token=}, {@code x-api-key} or {@code Authorization: Bearer}. An unknown or revoked key is
 * a 401, a missing scope or a key bound to another space a 403, an unknown job or space a 404 —
 * plain HTTP answers with the API's error body. A job stream also opens without any key, as the
 * progress-only view. What the upgrade decided travels to the handler as attributes.
 */
@Component
class RealtimeHandshake implements HandshakeInterceptor {

  static final String JOB_ID = "spool.jobId";
  static final String SPACE_ID = "spool.spaceId";
  static final String FULL_VIEW = "spool.fullView";
  static final String SINCE = "spool.since";
  static final String SINCE_INSTANCE = "spool.streamInstanceId";

  static final String JOB_PATH = "/api/v1/realtime/";
  static final String SPACE_PATH = "/api/v1/realtime/spaces/";

  private final ApiKeys keys;
  private final JobRepository jobs;
  private final FeedQueries queries;
  private final JsonMapper mapper;
  private final AddressThrottles throttles;
  private final Connections connections;

  RealtimeHandshake(
      ApiKeys keys,
      JobRepository jobs,
      FeedQueries queries,
      JsonMapper mapper,
      AddressThrottles throttles,
      Connections connections) {
    this.connections = connections;
    this.keys = keys;
    this.throttles = throttles;
    this.jobs = jobs;
    this.queries = queries;
    this.mapper = mapper;
  }

  @Override
  public boolean beforeHandshake(
      ServerHttpRequest request,
      ServerHttpResponse response,
      WebSocketHandler handler,
      Map<String, Object> attributes) {
    try {
      String address = address(request);
      long wait = throttles.upgrades().take(address);
      if (wait > 0) {
        throw new TooManyAttempts("Too many WebSocket upgrades", wait);
      }
      UriComponents uri = UriComponentsBuilder.fromUri(request.getURI()).build();
      String path = uri.getPath() == null ? "" : uri.getPath();
      Optional<String> presented = presented(request, uri);
      Optional<Caller> caller = presented.map(key -> caller(key, address));
      if (path.startsWith(SPACE_PATH)) {
        space(path.substring(SPACE_PATH.length()), caller, uri, attributes);
      } else {
        job(path.substring(JOB_PATH.length()), caller, attributes);
      }
      if (presented.isPresent()) {
        String scope =
            path.startsWith(SPACE_PATH) || Boolean.TRUE.equals(attributes.get(FULL_VIEW))
                ? Scopes.JOBS_READ
                : Scopes.JOBS_READ_PROGRESS;
        attributes.put(
            StreamAuth.ATTRIBUTE,
            new StreamAuth(
                presented.get(), (String) attributes.get(SPACE_ID), scope, sessionAlive(request)));
      }
      return true;
    } catch (ApiException e) {
      response.setStatusCode(e.status());
      if (e instanceof TooManyAttempts t) {
        response.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(t.retryAfterSeconds()));
      }
      response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
      try {
        response.getBody().write(mapper.writeValueAsBytes(ErrorBody.of(e)));
      } catch (java.io.IOException ignored) {
        // the status alone still tells the client
      }
      return false;
    }
  }

  private void job(String jobId, Optional<Caller> caller, Map<String, Object> attributes) {
    boolean full = false;
    if (caller.isPresent()) {
      full = caller.get().has(Scopes.JOBS_READ);
      if (!full) {
        caller.get().require(Scopes.JOBS_READ_PROGRESS);
      }
    }
    // only the space: an upgrade (often token-less) never loads the job's documents
    String spaceId =
        (Ids.isValid(jobId) ? jobs.spaceOf(jobId) : Optional.<String>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.ifPresent(c -> c.requireSpace(spaceId));
    refuseWhenFull();
    if (connections.jobFull(jobId, false)) {
      throw new ApiException(
          HttpStatus.TOO_MANY_REQUESTS, "too_many_streams", "Too many streams of this job");
    }
    attributes.put(JOB_ID, jobId);
    attributes.put(SPACE_ID, spaceId);
    attributes.put(FULL_VIEW, full);
  }

  private void space(
      String spaceId, Optional<Caller> caller, UriComponents uri, Map<String, Object> attributes) {
    Caller c = caller.orElseThrow(() -> ApiException.unauthorized("Missing API key"));
    c.require(Scopes.JOBS_READ).requireSpace(spaceId);
    if (!Ids.isValid(spaceId) || !queries.spaceExists(spaceId)) {
      throw ApiException.notFound("Space");
    }
    refuseWhenFull();
    String since = uri.getQueryParams().getFirst("since");
    if (since != null && !since.isEmpty()) {
      try {
        long value = Long.parseLong(since);
        if (value < 0) {
          throw new NumberFormatException();
        }
        attributes.put(SINCE, value);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("since must be a non-negative integer");
      }
    }
    String instance = uri.getQueryParams().getFirst("streamInstanceId");
    if (instance != null && !instance.isEmpty()) {
      attributes.put(SINCE_INSTANCE, instance);
    }
    attributes.put(SPACE_ID, spaceId);
  }

  private void refuseWhenFull() {
    if (connections.full(false)) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE, "too_many_streams", "Too many realtime connections");
    }
  }

  /** The dashboard session check the gateway attached to this upgrade, if it came through it. */
  private static BooleanSupplier sessionAlive(ServerHttpRequest request) {
    if (request instanceof ServletServerHttpRequest servlet
        && servlet.getServletRequest().getAttribute(StreamAuth.SESSION_ALIVE)
            instanceof BooleanSupplier alive) {
      return alive;
    }
    return null;
  }

  /**
   * The key presented; empty when none was. Mirrors the REST filter's header rules and adds {@code
   * ?token=}, which browsers' WebSocket API needs.
   */
  private Optional<String> presented(ServerHttpRequest request, UriComponents uri) {
    String presented = uri.getQueryParams().getFirst("token");
    if (presented == null || presented.isBlank()) {
      presented = request.getHeaders().getFirst("x-api-key");
    }
    if (presented == null || presented.isBlank()) {
      String auth = request.getHeaders().getFirst("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        presented = auth.substring(7);
      }
    }
    if (presented == null || presented.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(presented.trim());
  }

  /**
   * The caller a presented key stands for; 401 for an unknown or revoked key. Failed lookups count
   * against the client's address ({@link AddressThrottle}).
   */
  private Caller caller(String presented, String address) {
    return keys.resolve(presented, address)
        .orElseThrow(() -> ApiException.unauthorized("Invalid API key"));
  }

  /** The client's address as the container reports it (see {@link AddressThrottle}). */
  private static String address(ServerHttpRequest request) {
    InetSocketAddress remote = request.getRemoteAddress();
    return remote == null || remote.getAddress() == null
        ? ""
        : remote.getAddress().getHostAddress();
  }

  @Override
  public void afterHandshake(
      ServerHttpRequest request,
      ServerHttpResponse response,
      WebSocketHandler handler,
      Exception exception) {}
}
