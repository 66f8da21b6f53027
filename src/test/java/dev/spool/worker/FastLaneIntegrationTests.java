package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The {@link dev.spool.web.FastLane} answers ack, complete and a single create exactly as Spring
 * MVC does: each case is sent twice, once on the lane's path and once with a path parameter ({@code
 * ;via=mvc}), which MVC ignores and the lane leaves to MVC, and both answers must be equal.
 */
class FastLaneIntegrationTests extends IntegrationTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Autowired io.micrometer.core.instrument.MeterRegistry registry;
  @Autowired List<dev.spool.web.FastLane.Route> routes;
  @Autowired WebApplicationContext context;
  @Autowired RequestMappingHandlerMapping mappings;

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  record Answer(int status, String contentType, String body, String replayed) {}

  Answer send(
      String jobId,
      String action,
      boolean viaMvc,
      String key,
      Map<String, String> headers,
      String body) {
    return send("/api/v1/jobs/" + jobId + "/" + action, viaMvc, key, headers, body);
  }

  Answer send(
      String lanePath, boolean viaMvc, String key, Map<String, String> headers, String body) {
    String path = lanePath + (viaMvc ? ";via=mvc" : "");
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + path))
            .timeout(Duration.ofSeconds(30))
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("x-api-key", key);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(),
          r.headers().firstValue("Content-Type").orElse(null),
          r.body(),
          r.headers().firstValue("Idempotent-Replayed").orElse(null));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A delivered job of the space, with its delivery id. */
  String[] delivered() {
    String id = api.createJob(space, "lane");
    return new String[] {id, worker.deliver(id)};
  }

  /**
   * Runs {@code call} on a fresh job set up by {@code setUp} twice, through the lane and through
   * MVC, and asserts the two answers are the same (the job's own ids and times aside).
   */
  void sameAnswer(String what, Function<Boolean, Answer> call) {
    Answer lane = call.apply(false);
    Answer mvc = call.apply(true);
    assertThat(lane.status()).as(what + ": status").isEqualTo(mvc.status());
    assertThat(lane.contentType()).as(what + ": content type").isEqualTo(mvc.contentType());
    assertThat(lane.replayed()).as(what + ": Idempotent-Replayed").isEqualTo(mvc.replayed());
    if (lane.status() / 100 == 2) {
      JsonNode l = TestApi.JSON.readTree(lane.body());
      JsonNode m = TestApi.JSON.readTree(mvc.body());
      assertThat(new ArrayList<>(l.propertyNames()))
          .as(what + ": fields")
          .isEqualTo(new ArrayList<>(m.propertyNames()));
      for (String field :
          List.of("status", "result", "attemptNumber", "name", "lastError", "spaceId")) {
        assertThat(l.get(field)).as(what + ": " + field).isEqualTo(m.get(field));
      }
    } else {
      assertThat(lane.body()).as(what + ": error body").isEqualTo(mvc.body());
    }
  }

  static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

  @Test
  void answersLikeMvcForEveryOutcome() {
    String key = space.key();
    sameAnswer(
        "ack",
        mvc -> {
          String[] d = delivered();
          return send(d[0], "ack", mvc, key, Map.of("x-delivery-id", d[1]), null);
        });
    sameAnswer(
        "complete with a result",
        mvc -> {
          String[] d = delivered();
          return send(d[0], "complete", mvc, key, JSON, "{\"result\":{\"ok\":[1,2]}}");
        });
    sameAnswer(
        "complete without a body",
        mvc -> send(delivered()[0], "complete", mvc, key, Map.of(), null));
    sameAnswer(
        "ack of a running job",
        mvc -> {
          String id = api.createJob(space, "lane");
          worker.start(id);
          return send(id, "ack", mvc, key, Map.of(), null);
        });
    sameAnswer(
        "complete of a completed job",
        mvc -> {
          String id = api.createJob(space, "lane");
          worker.start(id);
          worker.complete(id);
          return send(id, "complete", mvc, key, Map.of(), null);
        });
    sameAnswer(
        "another delivery",
        mvc -> {
          String id = delivered()[0];
          return send(
              id,
              "complete",
              mvc,
              key,
              Map.of("x-delivery-id", "01M964WEVDDFZHMFR3VAHJ5BMY"),
              null);
        });
    sameAnswer(
        "an unknown job",
        mvc -> send("01M964WEVDDFZHMFR3VAHJ5BMY", "ack", mvc, key, Map.of(), null));
    sameAnswer(
        "a body that is not an object",
        mvc -> send(delivered()[0], "complete", mvc, key, JSON, "[1]"));
    sameAnswer("malformed JSON", mvc -> send(delivered()[0], "complete", mvc, key, JSON, "{"));
    sameAnswer(
        "a body that is not JSON",
        mvc ->
            send(delivered()[0], "complete", mvc, key, Map.of("Content-Type", "text/plain"), "{}"));
    sameAnswer(
        "a result with a NUL character",
        mvc -> send(delivered()[0], "complete", mvc, key, JSON, "{\"result\":\"a\\u0000b\"}"));
    String createOnly = api.newKey(space.id(), List.of("jobs:create"));
    sameAnswer(
        "a key without the scope",
        mvc -> send(delivered()[0], "complete", mvc, createOnly, Map.of(), null));
    TestSpace other = api.newSpace();
    sameAnswer(
        "another space's key",
        mvc -> send(delivered()[0], "ack", mvc, other.key(), Map.of(), null));
  }

  @Test
  void createsLikeMvc() {
    String key = space.key();
    String jobs = "/api/v1/spaces/" + space.id() + "/jobs";
    sameAnswer("one job", mvc -> send(jobs, mvc, key, JSON, "{\"name\":\"a\",\"payload\":[1]}"));
    sameAnswer("a batch", mvc -> send(jobs, mvc, key, JSON, "[{\"name\":\"a\"},{\"name\":\"b\"}]"));
    sameAnswer(
        "an idempotent replay",
        mvc -> {
          Map<String, String> h =
              Map.of("Content-Type", "application/json", "Idempotency-Key", "lane-" + mvc);
          send(jobs, mvc, key, h, "{\"name\":\"a\"}");
          return send(jobs, mvc, key, h, "{\"name\":\"a\"}");
        });
    sameAnswer("an invalid job", mvc -> send(jobs, mvc, key, JSON, "{\"name\":\"\"}"));
    sameAnswer("no body", mvc -> send(jobs, mvc, key, JSON, null));
    sameAnswer(
        "not JSON",
        mvc -> send(jobs, mvc, key, Map.of("Content-Type", "text/plain"), "{\"name\":\"a\"}"));
    sameAnswer(
        "a space that does not exist",
        mvc ->
            send(
                "/api/v1/spaces/01M964WEVDDFZHMFR3VAHJ5BMY/jobs",
                mvc,
                api.adminKey(),
                JSON,
                "{\"name\":\"a\"}"));
    sameAnswer(
        "another space",
        mvc ->
            send(
                "/api/v1/spaces/" + api.newSpace().id() + "/jobs",
                mvc,
                key,
                JSON,
                "{\"name\":\"a\"}"));
    String workerOnly = api.newKey(space.id(), List.of("jobs:worker"));
    sameAnswer(
        "a key without the scope", mvc -> send(jobs, mvc, workerOnly, JSON, "{\"name\":\"a\"}"));
  }

  /**
   * The comparisons above would pass with the lane absent too: here it is a filter of the running
   * server, with the three routes, each a POST route of a controller under the same template.
   */
  @Test
  void theLaneServesTheThreeRoutesOfTheirControllers() {
    assertThat(context.getServletContext().getFilterRegistrations()).containsKey("fastLane");
    List<String> templates = routes.stream().map(dev.spool.web.FastLane.Route::template).toList();
    assertThat(templates)
        .containsExactlyInAnyOrder(
            "/api/v1/jobs/{jobId}/ack",
            "/api/v1/jobs/{jobId}/complete",
            "/api/v1/spaces/{spaceId}/jobs");
    TreeSet<String> posts = new TreeSet<>();
    mappings
        .getHandlerMethods()
        .keySet()
        .forEach(
            info -> {
              if (info.getMethodsCondition().getMethods().contains(RequestMethod.POST)) {
                posts.addAll(info.getPatternValues());
              }
            });
    assertThat(posts).containsAll(templates);
  }

  @Test
  void aLaneCallIsTimedUnderItsRoute() {
    String[] d = delivered();
    send(d[0], "ack", false, space.key(), Map.of(), null);
    send(d[0], "complete", false, space.key(), Map.of(), null);
    TreeSet<String> uris = new TreeSet<>();
    registry
        .find("http.server.requests")
        .timers()
        .forEach(t -> uris.add(t.getId().getTag("uri") + " " + t.getId().getTag("status")));
    assertThat(uris).contains("/api/v1/jobs/{jobId}/ack 200", "/api/v1/jobs/{jobId}/complete 200");
  }
}
