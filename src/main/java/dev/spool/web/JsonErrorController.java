package dev.spool.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside Spring MVC (by the servlet container) still answer in the contract's shape
 * instead of the default error page; a database outage among them answers 503 like everywhere.
 */
@RestController
class JsonErrorController implements ErrorController {

  private static final Logger log = LoggerFactory.getLogger(JsonErrorController.class);

  @RequestMapping("/error")
  ResponseEntity<ErrorBody> error(HttpServletRequest request) {
    // a lost database connection escaping a filter that runs before OutageFilter is still a 503
    if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t
        && DatabaseOutage.isOutage(t)) {
      DatabaseOutage.report(log, t);
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
          .header(HttpHeaders.RETRY_AFTER, String.valueOf(DatabaseOutage.RETRY_AFTER_SECONDS))
          .body(ErrorBody.of(DatabaseOutage.exception()));
    }
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status =
        code instanceof Integer i
            ? HttpStatus.resolve(i) != null
                ? HttpStatus.resolve(i)
                : HttpStatus.INTERNAL_SERVER_ERROR
            : HttpStatus.INTERNAL_SERVER_ERROR;
    String message =
        switch (status) {
          case NOT_FOUND -> "Not found";
          case CONTENT_TOO_LARGE -> "Request body too large";
          case BAD_REQUEST -> "Bad request";
          default -> status.is5xxServerError() ? "Internal server error" : status.getReasonPhrase();
        };
    return ResponseEntity.status(status).body(new ErrorBody(message, null, null));
  }
}
