package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

class OpenApiDocumentIntegrationTests extends IntegrationTest {

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  /** "/api/v1/jobs/{jobId}" and "/api/v1/jobs/{id}" are the same route. */
  static String normalize(String path) {
    return path.replaceAll("\\{[^}]*}", "{}");
  }

  @Test
  void apiDocsAreServedWithoutAKeyAndDescribeEveryImplementedRoute() {
    Response r = api.get("/v3/api-docs", null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode doc = r.json();
    assertThat(doc.get("openapi").asString()).startsWith("3.0");
    JsonNode paths = doc.get("paths");

    Set<String> documented = new TreeSet<>();
    for (var path : paths.properties()) {
      for (var op : path.getValue().properties()) {
        documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + normalize(path.getKey()));
      }
    }
    Set<String> implemented = new TreeSet<>();
    mappings
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/api/v1/")) {
                  Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                  for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    implemented.add(m.name() + " " + normalize(pattern));
                  }
                }
              }
            });
    assertThat(implemented)
        .isNotEmpty()
        .contains("POST /api/v1/jobs/{}/logs", "GET /api/v1/spaces/{}/jobs");
    assertThat(documented).containsAll(implemented);
    // the contract's endpoints that other features implement are described too
    assertThat(documented)
        .contains(
            "POST /api/v1/spaces/{}/jobs/poll",
            "POST /api/v1/jobs/{}/claim",
            "POST /api/v1/jobs/{}/ack",
            "POST /api/v1/jobs/{}/complete",
            "POST /api/v1/jobs/{}/fail",
            "POST /api/v1/jobs/{}/kill",
            "GET /api/v1/jobs/{}/callbacks",
            "GET /api/v1/realtime/{}",
            "GET /api/v1/realtime/spaces/{}");
  }

  @Test
  void everyOperationNamesItsScopesAndTheErrorShape() {
    JsonNode doc = api.get("/v3/api-docs", null).json();
    for (var path : doc.get("paths").properties()) {
      for (var op : path.getValue().properties()) {
        if (op.getKey().equals("parameters")) {
          continue;
        }
        String where = op.getKey() + " " + path.getKey();
        assertThat(op.getValue().get("x-scopes")).as(where).isNotNull();
        assertThat(op.getValue().get("responses").has("401")).as(where).isTrue();
      }
    }
    JsonNode error = doc.get("components").get("schemas").get("Error");
    assertThat(error.get("required").get(0).asString()).isEqualTo("error");
    assertThat(
            doc.get("components")
                .get("schemas")
                .get("ProgressInput")
                .get("properties")
                .get("percent")
                .get("maximum")
                .asInt())
        .isEqualTo(100);
  }

  @Test
  void swaggerUiIsServed() {
    Response r = api.get("/swagger-ui/index.html", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).containsIgnoringCase("swagger");
  }
}
