package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.orm.jpa.JpaSystemException;

class JsonErrorControllerTests {

  final JsonErrorController controller = new JsonErrorController();

  @Test
  void anOutageThatEscapedEveryFilterIsA503WithRetryAfter() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/dashboard/api/x");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
    request.setAttribute(
        RequestDispatcher.ERROR_EXCEPTION,
        new JpaSystemException(
            new RuntimeException(
                "wrapped", new SQLException("terminating connection due to admin", "57P01"))));

    ResponseEntity<ErrorBody> r = controller.error(request);

    assertThat(r.getStatusCode().value()).isEqualTo(503);
    assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("5");
    assertThat(r.getBody().code()).isEqualTo("database_unavailable");
  }

  @Test
  void otherContainerErrorsKeepTheirStatus() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/x");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 400);
    assertThat(controller.error(request).getStatusCode().value()).isEqualTo(400);
  }
}
