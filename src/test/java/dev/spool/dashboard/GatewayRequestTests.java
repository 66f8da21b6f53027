package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class GatewayRequestTests {

  @Test
  void theApiSeesOnlyTheSessionsKeyWhateverCredentialsTheBrowserSent() {
    MockHttpServletRequest browser = new MockHttpServletRequest("GET", "/dashboard/api/spaces");
    browser.addHeader("x-api-key", "emit_someone-else");
    browser.addHeader("Authorization", "Bearer emit_someone-else");
    browser.addHeader("Accept", "application/json");
    browser.setCookies(new Cookie(DashboardSessions.COOKIE, "session"));
    browser.setQueryString("token=emit_someone-else&since=4&streamInstanceId=x");
    browser.addParameter("token", "emit_someone-else");

    GatewayRequest api = new GatewayRequest(browser, "/api/v1/spaces", "emit_session-key");

    assertThat(api.getHeader("X-API-Key")).isEqualTo("emit_session-key");
    assertThat(Collections.list(api.getHeaders("x-api-key"))).containsExactly("emit_session-key");
    assertThat(api.getHeader("Authorization")).isNull();
    assertThat(api.getHeader("Cookie")).isNull();
    assertThat(api.getCookies()).isNull();
    assertThat(api.getParameter("token")).isNull();
    assertThat(api.getQueryString()).isEqualTo("since=4&streamInstanceId=x");
    assertThat(Collections.list(api.getHeaderNames()))
        .contains("Accept", "x-api-key")
        .doesNotContain("Authorization");
    assertThat(api.getHeader("Accept")).isEqualTo("application/json");
  }

  @Test
  void theApiSeesTheApiPath() {
    MockHttpServletRequest browser =
        new MockHttpServletRequest("GET", "/dashboard/realtime/spaces/01ABC");
    browser.setServerName("spool.example");
    browser.setServerPort(8080);

    GatewayRequest api = new GatewayRequest(browser, "/api/v1/realtime/spaces/01ABC", "k");

    assertThat(api.getRequestURI()).isEqualTo("/api/v1/realtime/spaces/01ABC");
    assertThat(api.getServletPath()).isEqualTo("/api/v1/realtime/spaces/01ABC");
    assertThat(api.getPathInfo()).isNull();
    assertThat(api.getRequestURL().toString())
        .isEqualTo("http://spool.example:8080/api/v1/realtime/spaces/01ABC");
    assertThat(api.getQueryString()).isNull();
  }
}
