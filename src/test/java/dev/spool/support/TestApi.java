package dev.spool.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small real-HTTP client for tests: raw bodies in, status + headers + parsed JSON out. Bodies are
 * strings so tests can send exactly what a hostile client would.
 */
public final class TestApi {

  public static final JsonMapper JSON = JsonMapper.builder().build();

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final String adminKey;

  public TestApi(String base, String adminKey) {
    this.base = base;
    this.adminKey = adminKey;
  }

  public String base() {
    return base;
  }

  public String adminKey() {
    return adminKey;
  }

  /** A response: status, headers and the body (parsed when it is JSON). */
  public record Response(int status, HttpResponse<String> raw) {
    public JsonNode json() {
      String body = raw.body();
      return body == null || body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
    }

    public String body() {
      return raw.body();
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String error() {
      return json().path("error").asString(null);
    }
  }

  /** A space made for one test, with a key holding every job scope. */
  public record TestSpace(String id, String key, String publicKey) {}

  public TestSpace newSpace() {
    Response space = post("/api/v1/spaces", adminKey, "{\"name\":\"test\"}");
    require(space, 201);
    String id = space.json().get("id").asString();
    String key =
        newKey(id, List.of("jobs:create", "jobs:worker", "jobs:kill", "jobs:read:progress"));
    return new TestSpace(id, key, space.json().get("publicKey").asString());
  }

  public String newKey(String spaceId, List<String> scopes) {
    Response r =
        post(
            "/api/v1/spaces/" + spaceId + "/keys",
            adminKey,
            JSON.writeValueAsString(Map.of("name", "test key", "scopes", scopes)));
    require(r, 201);
    return r.json().get("key").asString();
  }

  /** Creates jobs from a JSON body and returns their ids in order. */
  public List<String> createJobs(TestSpace space, String body) {
    Response r = post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), body);
    require(r, 201);
    List<String> ids = new ArrayList<>();
    JsonNode json = r.json();
    if (json.isArray()) {
      json.forEach(n -> ids.add(n.get("id").asString()));
    } else {
      ids.add(json.get("id").asString());
    }
    return ids;
  }

  public String createJob(TestSpace space, String name) {
    return createJobs(space, "{\"name\":\"" + name + "\"}").get(0);
  }

  public Response get(String path, String key) {
    return send(builder(path, key).GET().build(), "");
  }

  public Response post(String path, String key, String jsonBody) {
    return post(path, key, jsonBody, Map.of("Content-Type", "application/json"));
  }

  public Response post(String path, String key, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        builder(path, key)
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return send(b.build(), body == null ? "" : body);
  }

  public Response postBytes(String path, String key, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = builder(path, key).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    // a compressed or binary body is checked on the response side only
    return send(b.build(), null);
  }

  public Response patch(String path, String key, String jsonBody) {
    return send(
        builder(path, key)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(jsonBody))
            .build(),
        jsonBody);
  }

  public Response delete(String path, String key) {
    return send(builder(path, key).DELETE().build(), "");
  }

  /**
   * Sends a request built by the caller; its body is unknown here, so only the answer is checked.
   */
  public Response send(HttpRequest request) {
    return send(
        request, request.bodyPublisher().map(p -> p.contentLength() == 0).orElse(true) ? "" : null);
  }

  /**
   * Sends the request and checks the exchange against the served OpenAPI description ({@link
   * ApiContract}); {@code body} is the request body as sent, or null when it is not known.
   */
  private Response send(HttpRequest request, String body) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      ApiContract.check(request, body, r);
      return new Response(r.statusCode(), r);
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  public HttpRequest.Builder builder(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("x-api-key", key);
    }
    return b;
  }

  public static void require(Response r, int status) {
    if (r.status() != status) {
      throw new AssertionError("expected " + status + " but got " + r.status() + ": " + r.body());
    }
  }
}
