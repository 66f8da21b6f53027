package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/** Which requests the {@link FastLane} answers, how, and which it leaves to Spring MVC. */
class FastLaneTests {

  static final String ID = "01M964WEVDDFZHMFR3VAHJ5BMY";

  final AtomicReference<String> called = new AtomicReference<>();

  final FastLane.Route ack =
      new FastLane.Route(
          "/api/v1/jobs/{jobId}/ack",
          (request, id) -> {
            called.set(id);
            return switch (request.getHeader("x-test")) {
              case "entity" ->
                  ResponseEntity.status(HttpStatus.CREATED)
                      .header("Idempotent-Replayed", "true")
                      .body("{\"id\":\"" + id + "\"}");
              case "conflict" -> throw ApiException.conflict("invalid_state", "Job is running");
              case "broken" -> throw new IllegalStateException("a bug");
              default -> Map.of("id", id);
            };
          });

  final FastLane lane =
      new FastLane(java.util.List.of(ack), JsonMapper.builder().build(), new ApiExceptionHandler());

  MockHttpServletResponse send(MockHttpServletRequest request, MockFilterChain chain)
      throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    lane.doFilter(request, response, chain);
    return response;
  }

  MockHttpServletRequest post(String uri, String test) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
    request.addHeader("x-test", test);
    return request;
  }

  @Test
  void answersItsRouteWithoutTheChain() throws Exception {
    MockFilterChain chain = new MockFilterChain();
    MockHttpServletRequest request = post("/api/v1/jobs/" + ID + "/ack", "plain");

    MockHttpServletResponse response = send(request, chain);

    assertThat(chain.getRequest()).isNull();
    assertThat(called.get()).isEqualTo(ID);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentType()).isEqualTo("application/json");
    assertThat(response.getContentAsString()).isEqualTo("{\"id\":\"" + ID + "\"}");
    assertThat(response.getContentLength()).isEqualTo(response.getContentAsByteArray().length);
    assertThat(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE))
        .isEqualTo("/api/v1/jobs/{jobId}/ack");
  }

  @Test
  void writesAResponseEntityWithItsStatusAndHeaders() throws Exception {
    MockHttpServletResponse response =
        send(post("/api/v1/jobs/" + ID + "/ack", "entity"), new MockFilterChain());

    assertThat(response.getStatus()).isEqualTo(201);
    assertThat(response.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(response.getContentType()).isEqualTo("application/json");
    assertThat(response.getContentAsString()).isEqualTo("{\"id\":\"" + ID + "\"}");
  }

  @Test
  void answersExceptionsAsTheControllerAdviceDoes() throws Exception {
    MockHttpServletResponse conflict =
        send(post("/api/v1/jobs/" + ID + "/ack", "conflict"), new MockFilterChain());
    assertThat(conflict.getStatus()).isEqualTo(409);
    assertThat(conflict.getContentAsString())
        .isEqualTo("{\"error\":\"Job is running\",\"code\":\"invalid_state\"}");

    MockHttpServletResponse bug =
        send(post("/api/v1/jobs/" + ID + "/ack", "broken"), new MockFilterChain());
    assertThat(bug.getStatus()).isEqualTo(500);
    assertThat(bug.getContentAsString())
        .isEqualTo("{\"error\":\"Internal server error\",\"code\":\"internal\"}");
  }

  @Test
  void aRouteHasExactlyOneVariable() {
    assertThat(ack.template()).isEqualTo("/api/v1/jobs/{jobId}/ack");
    for (String bad : new String[] {"/api/v1/jobs", "/api/v1/{a}/{b}", "/api/v1/jobs/{id"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new FastLane.Route(bad, (request, id) -> null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void leavesEverythingElseToMvc() throws Exception {
    for (String uri :
        new String[] {
          "/api/v1/jobs/" + ID + "/fail",
          "/api/v1/jobs/" + ID + "/ack/",
          "/api/v1/jobs/" + ID + "/ACK",
          "/api/v1/jobs/" + ID + "/ack;x=1",
          "/api/v1/jobs/" + ID + "x/ack",
          "/api/v1/jobs/" + ID.substring(1) + "/ack",
          "/api/v1/jobs/" + ID.replace('0', '%') + "/ack",
          "/api/v1/jobs/" + ID,
          "/api/v1/jobs//ack"
        }) {
      MockFilterChain chain = new MockFilterChain();
      send(post(uri, "plain"), chain);
      assertThat(chain.getRequest()).as(uri).isNotNull();
    }
    MockHttpServletRequest get = new MockHttpServletRequest("GET", "/api/v1/jobs/" + ID + "/ack");
    MockFilterChain chain = new MockFilterChain();
    send(get, chain);
    assertThat(chain.getRequest()).isNotNull();

    MockHttpServletRequest badType = post("/api/v1/jobs/" + ID + "/ack", "plain");
    badType.addHeader("Content-Type", "not a type");
    chain = new MockFilterChain();
    send(badType, chain);
    assertThat(chain.getRequest()).as("an unparseable Content-Type: MVC answers 415").isNotNull();

    MockHttpServletRequest inContext = post("/app/api/v1/jobs/" + ID + "/ack", "plain");
    inContext.setContextPath("/app");
    chain = new MockFilterChain();
    send(inContext, chain);
    assertThat(chain.getRequest()).isNotNull();
    assertThat(called.get()).isNull();
  }
}
