package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * The indexed lookup ({@link IndexedRequestMappings}) picks the handler Spring MVC's own lookup
 * picks, for every registered route and every method, and records the same path variables.
 */
class IndexedRequestMappingsIntegrationTests extends IntegrationTest {

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mapping;

  /** What a lookup gave: the handler's method and path variables, or the exception's class. */
  record Outcome(String handler, Object variables, String error) {}

  @Test
  void theApplicationUsesTheIndexedLookup() {
    assertThat(mapping).isInstanceOf(IndexedRequestMappings.class);
  }

  @Test
  void everyRouteAndMethodResolvesAsTheStockLookupResolvesIt() throws Exception {
    IndexedRequestMappings indexed = (IndexedRequestMappings) mapping;
    Set<String> paths = new LinkedHashSet<>();
    for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
      for (String pattern : info.getPatternValues()) {
        String sample = pattern.replaceAll("\\{\\*[^}]*}", "a/b").replaceAll("\\{[^}]*}", "x1");
        paths.add(sample);
        paths.add(sample + "/");
        paths.add(sample + "/extra");
        paths.add(sample.toUpperCase());
      }
    }
    paths.addAll(List.of("/api/v1/jobs/x1/ack;v=1", "/api/v1/jobs/x1/%61ck", "/", "/nothing"));
    List<String> compared = new ArrayList<>();
    for (String path : paths) {
      for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
        List<RequestMappingInfo> candidates = indexed.candidateMappings(request(path, method));
        if (candidates != null) {
          assertThat(candidates)
              .as("the index's candidates for " + method + " " + path)
              .containsAll(indexed.matchingMappings(request(path, method)));
        }
        Outcome viaIndex = indexed(path, method);
        Outcome stock = stock(indexed, path, method);
        assertThat(viaIndex).as(method + " " + path).isEqualTo(stock);
        compared.add(method + " " + path);
      }
    }
    assertThat(compared).contains("POST /api/v1/jobs/x1/ack", "POST /api/v1/spaces/x1/jobs/poll");
    for (String hot :
        List.of("/api/v1/jobs/x1/ack", "/api/v1/jobs/x1/complete", "/api/v1/spaces/x1/jobs/poll")) {
      assertThat(indexed.candidateMappings(request(hot, "POST")))
          .as("the index answers " + hot + " from a few candidates")
          .isNotNull()
          .hasSizeBetween(1, 6);
    }
    assertThat(indexed("/api/v1/jobs/x1/complete", "POST").handler()).endsWith(".complete");
  }

  @Test
  void workerCallsStillReadTheirPathVariables() {
    TestSpace space = api.newSpace();
    String id = api.createJob(space, "indexed");
    Response poll =
        api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", space.key(), "{\"count\":1}");
    assertThat(poll.status()).isEqualTo(200);
    assertThat(poll.json().at("/jobs/0/id").asString()).isEqualTo(id);
    Response ack = api.post("/api/v1/jobs/" + id + "/ack", space.key(), null);
    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().get("id").asString()).isEqualTo(id);
    assertThat(ack.json().get("status").asString()).isEqualTo("running");
  }

  private static MockHttpServletRequest request(String path, String method) {
    MockHttpServletRequest r = new MockHttpServletRequest(method, path);
    r.setContentType("application/json");
    r.addHeader("Accept", "application/json");
    ServletRequestPathUtils.parseAndCache(r);
    return r;
  }

  /** One way to look up the handler of a request. */
  interface Lookup {
    HandlerMethod find(MockHttpServletRequest request) throws Exception;
  }

  private static Outcome outcome(String path, String method, Lookup lookup) {
    MockHttpServletRequest r = request(path, method);
    try {
      HandlerMethod h = lookup.find(r);
      if (h == null) {
        return new Outcome(null, null, null);
      }
      return new Outcome(
          name(h), r.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE), null);
    } catch (Exception e) {
      return new Outcome(null, null, e.getClass().getName());
    }
  }

  /** Through the application's mapping, as a request meets it. */
  private Outcome indexed(String path, String method) {
    return outcome(
        path,
        method,
        r -> {
          HandlerExecutionChain chain = mapping.getHandler(r);
          return chain == null ? null : (HandlerMethod) chain.getHandler();
        });
  }

  /** Through Spring's own lookup, without the index. */
  private static Outcome stock(IndexedRequestMappings indexed, String path, String method) {
    return outcome(path, method, indexed::stockLookup);
  }

  private static String name(HandlerMethod h) {
    Objects.requireNonNull(h);
    return h.getMethod().getDeclaringClass().getName() + "." + h.getMethod().getName();
  }
}
