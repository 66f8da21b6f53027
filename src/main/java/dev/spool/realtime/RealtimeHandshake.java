package dev.spool.realtime;

import dev.spool.job.JobRepository;
import dev.spool.job.JobView;
import dev.spool.space.ApiKeys;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.system.ApiException;
import dev.spool.system.ErrorBody;
import dev.spool.system.Ids;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
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

  RealtimeHandshake(ApiKeys keys, JobRepository jobs, FeedQueries queries, JsonMapper mapper) {
    this.keys = keys;
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
      UriComponents uri = UriComponentsBuilder.fromUri(request.getURI()).build();
      String path = uri.getPath() == null ? "" : uri.getPath();
      Optional<Caller> caller = caller(request, uri);
      if (path.startsWith(SPACE_PATH)) {
        space(path.substring(SPACE_PATH.length()), caller, uri, attributes);
      } else {
        job(path.substring(JOB_PATH.length()), caller, attributes);
      }
      return true;
    } catch (ApiException e) {
      response.setStatusCode(e.status());
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
    JobView job =
        (Ids.isValid(jobId) ? jobs.find(jobId) : Optional.<JobView>empty())
            .orElseThrow(() -> ApiException.notFound("Job"));
    caller.ifPresent(c -> c.requireSpace(job.spaceId()));
    attributes.put(JOB_ID, job.id());
    attributes.put(SPACE_ID, job.spaceId());
    attributes.put(FULL_VIEW, full);
  }

  private void space(
      String spaceId, Optional<Caller> caller, UriComponents uri, Map<String, Object> attributes) {
    Caller c = caller.orElseThrow(() -> ApiException.unauthorized("Missing API key"));
    c.require(Scopes.JOBS_READ).requireSpace(spaceId);
    if (!Ids.isValid(spaceId) || !queries.spaceExists(spaceId)) {
      throw ApiException.notFound("Space");
    }
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

  /**
   * The caller a presented key stands for; empty when none was presented. Mirrors the REST filter's
   * header rules and adds {@code ?token=}, which browsers' WebSocket API needs.
   */
  private Optional<Caller> caller(ServerHttpRequest request, UriComponents uri) {
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
    Optional<Caller> caller = keys.resolve(presented.trim());
    if (caller.isEmpty()) {
      throw ApiException.unauthorized("Invalid API key");
    }
    return caller;
  }

  @Override
  public void afterHandshake(
      ServerHttpRequest request,
      ServerHttpResponse response,
      WebSocketHandler handler,
      Exception exception) {}
}
