package dev.spool.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks every exchange an integration test makes through {@link TestApi} against the OpenAPI
 * description the application serves at {@code /v3/api-docs}, so the description cannot drift from
 * what Spool does: a status, header or body it does not describe fails the test that saw it.
 * Generic on purpose: any {@code /api/v1} route, including ones added later, is checked once it is
 * described (and {@code OpenApiDocumentIntegrationTests} makes sure every route is).
 *
 * <p>Responses are always checked. Requests are checked only when Spool accepted them (2xx): tests
 * send invalid requests on purpose to see the 4xx, and the description needs to say those are
 * invalid, not accept them.
 */
public final class ApiContract {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The served document of one running application, and the operations exchanges went to. */
  private record Contract(
      OpenApiInteractionValidator validator, List<Operation> operations, Set<String> seen) {}

  /** A documented operation, e.g. "POST /api/v1/jobs/{jobId}/ack", with its path as a pattern. */
  private record Operation(String method, String template, Pattern pattern) {
    String name() {
      return method + " " + template;
    }
  }

  /** By base URL; empty for a base that serves no description (the management port). */
  private static final Map<String, Optional<Contract>> CONTRACTS = new ConcurrentHashMap<>();

  private ApiContract() {}

  /** The documented operations ("METHOD /template") that exchanges with {@code base} went to. */
  public static Set<String> seen(String base) {
    return Set.copyOf(contract(base).seen());
  }

  /** Every operation the document served by {@code base} describes, as "METHOD /template". */
  public static Set<String> documented(String base) {
    return contract(base).operations().stream().map(Operation::name).collect(Collectors.toSet());
  }

  /**
   * What is wrong with a response of this status, content type and body to this call according to
   * the served document; empty when it matches.
   */
  public static List<String> responseProblems(
      String base, String method, String path, int status, String contentType, String body) {
    SimpleResponse.Builder r = SimpleResponse.Builder.status(status);
    if (contentType != null) {
      r.withContentType(contentType);
    }
    if (body != null) {
      r.withBody(body);
    }
    return errors(
        contract(base)
            .validator()
            .validateResponse(path, Request.Method.valueOf(method), r.build()));
  }

  static void check(HttpRequest request, String body, HttpResponse<String> response) {
    String path = request.uri().getRawPath();
    if (!path.startsWith("/api/v1/") || response.statusCode() == 101) {
      return;
    }
    Optional<Contract> served = CONTRACTS.computeIfAbsent(base(request.uri()), ApiContract::load);
    if (served.isEmpty()) {
      return;
    }
    Contract contract = served.get();
    Request.Method method;
    try {
      method = Request.Method.valueOf(request.method().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException madeUpMethod) {
      return; // no operation has it (HttpServerMetricsIntegrationTests sends made-up methods)
    }
    boolean documented = false;
    for (Operation op : contract.operations()) {
      if (op.method().equals(method.name()) && op.pattern().matcher(path).matches()) {
        contract.seen().add(op.name());
        documented = true;
      }
    }
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    if (!documented || contentType.startsWith("text/html")) {
      // no such route (Spring's 404/405, checked by the error-shape tests), or a URL the servlet
      // container refused before Spool saw it (e.g. %00 in the path)
      return;
    }
    SimpleResponse.Builder r = SimpleResponse.Builder.status(response.statusCode());
    response.headers().map().forEach(r::withHeader);
    if (!response.body().isEmpty()) {
      r.withBody(response.body());
    }
    ValidationReport report;
    if (response.statusCode() / 100 == 2 && body != null) {
      report = contract.validator().validate(request(request, method, path, body), r.build());
    } else {
      report = contract.validator().validateResponse(path, method, r.build());
    }
    List<String> errors = errors(report);
    if (!errors.isEmpty()) {
      throw new AssertionError(
          "The exchange does not match the served OpenAPI description:\n  "
              + request.method()
              + " "
              + path
              + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery())
              + " → "
              + response.statusCode()
              + " "
              + abbreviate(response.body())
              + "\n"
              + String.join("\n", errors));
    }
  }

  private static List<String> errors(ValidationReport report) {
    return report.getMessages().stream()
        .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
        .map(
            m ->
                "  ["
                    + m.getKey()
                    + "] "
                    + m.getMessage()
                    + (m.getAdditionalInfo().isEmpty()
                        ? ""
                        : " " + String.join("; ", m.getAdditionalInfo())))
        .toList();
  }

  private static Request request(
      HttpRequest request, Request.Method method, String path, String body) {
    SimpleRequest.Builder b = new SimpleRequest.Builder(method, path);
    request.headers().map().forEach(b::withHeader);
    String query = request.uri().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        b.withQueryParam(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    if (!body.isEmpty()) {
      b.withBody(body);
    }
    return b.build();
  }

  private static Contract contract(String base) {
    return CONTRACTS
        .computeIfAbsent(base, ApiContract::load)
        .orElseThrow(() -> new AssertionError(base + " serves no /v3/api-docs"));
  }

  private static Optional<Contract> load(String base) {
    HttpResponse<String> doc;
    try {
      doc =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(base + "/v3/api-docs"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + base + "/v3/api-docs", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (doc.statusCode() == 404) {
      return Optional.empty(); // the management port: actuator only, no API
    }
    if (doc.statusCode() != 200) {
      throw new AssertionError("/v3/api-docs answered " + doc.statusCode());
    }
    OpenApiInteractionValidator validator =
        OpenApiInteractionValidator.createForInlineApiSpecification(doc.body())
            .withLevelResolver(
                LevelResolver.create()
                    // the key is checked by Spool itself (and by the tests that expect 401)
                    .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                    // any application/*+json body is read as JSON; the document names only
                    // application/json
                    .withLevel(
                        "validation.request.contentType.notAllowed", ValidationReport.Level.IGNORE)
                    // JSON Schema semantics: properties a schema does not list are allowed (the
                    // validator's stricter default cannot combine schemas with allOf)
                    .withLevel(
                        "validation.schema.additionalProperties", ValidationReport.Level.IGNORE)
                    .build())
            .build();
    List<Operation> operations = new ArrayList<>();
    for (var path : TestApi.JSON.readTree(doc.body()).get("paths").properties()) {
      Pattern pattern = Pattern.compile(path.getKey().replaceAll("\\{[^}]*}", "[^/]+"));
      for (var op : path.getValue().properties()) {
        if (!op.getKey().equals("parameters")) {
          operations.add(
              new Operation(op.getKey().toUpperCase(Locale.ROOT), path.getKey(), pattern));
        }
      }
    }
    return Optional.of(new Contract(validator, operations, ConcurrentHashMap.newKeySet()));
  }

  private static String base(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String body) {
    return body.length() <= 300 ? body : body.substring(0, 300) + "…";
  }
}
