package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class SameOriginTests {

  private static MockHttpServletRequest request(String host, String origin) {
    MockHttpServletRequest r = new MockHttpServletRequest("POST", "/dashboard/session");
    r.addHeader("Host", host);
    if (origin != null) {
      r.addHeader("Origin", origin);
    }
    return r;
  }

  @Test
  void anOriginNamingThisHostIsAllowed() {
    assertThat(SameOrigin.allows(request("spool.example:8080", "http://spool.example:8080")))
        .isTrue();
    assertThat(SameOrigin.allows(request("spool.example", "https://SPOOL.example"))).isTrue();
  }

  @Test
  void requestsWithoutAnOriginAreNotCrossSiteBrowserRequests() {
    assertThat(SameOrigin.allows(request("spool.example", null))).isTrue();
  }

  @Test
  void otherHostsOtherPortsAndOpaqueOriginsAreRefused() {
    assertThat(SameOrigin.allows(request("spool.example", "https://evil.example"))).isFalse();
    assertThat(SameOrigin.allows(request("spool.example:8080", "http://spool.example:9090")))
        .isFalse();
    assertThat(SameOrigin.allows(request("spool.example", "null"))).isFalse();
    assertThat(SameOrigin.allows(request("spool.example", "not a url"))).isFalse();
  }
}
