package dev.spool.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** The one place where exceptions become the contract's error body. Never leaks a stack trace. */
@RestControllerAdvice
class ApiExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  /**
   * The answer to an exception thrown by a controller's own code (not by Spring MVC's binding,
   * which a caller outside MVC does not use): what the handlers below answer for it.
   */
  ResponseEntity<ErrorBody> toResponse(Exception e) {
    return e instanceof ApiException a ? api(a) : unexpected(e);
  }

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ErrorBody> api(ApiException e) {
    if (e instanceof TooManyAttempts t) {
      return ResponseEntity.status(e.status())
          .header(HttpHeaders.RETRY_AFTER, String.valueOf(t.retryAfterSeconds()))
          .body(ErrorBody.of(e));
    }
    return ResponseEntity.status(e.status()).body(ErrorBody.of(e));
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<ErrorBody> mediaType(HttpMediaTypeNotSupportedException e) {
    return api(ApiException.unsupportedMediaType("Content-Type must be application/json"));
  }

  @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
  ResponseEntity<ErrorBody> notAcceptable(HttpMediaTypeNotAcceptableException e) {
    return api(ApiException.notAcceptable());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
    return api(new ApiException(HttpStatus.BAD_REQUEST, "malformed_json", "Malformed JSON body"));
  }

  @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
  ResponseEntity<ErrorBody> noRoute(Exception e) {
    return api(new ApiException(HttpStatus.NOT_FOUND, "not_found", "Not found"));
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e) {
    return api(
        new ApiException(
            HttpStatus.METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method " + e.getMethod() + " is not allowed here"));
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ErrorBody> missingParam(MissingServletRequestParameterException e) {
    return api(ApiException.badRequest(e.getParameterName() + " is required"));
  }

  @ExceptionHandler(MissingRequestHeaderException.class)
  ResponseEntity<ErrorBody> missingHeader(MissingRequestHeaderException e) {
    return api(ApiException.badRequest("Header " + e.getHeaderName() + " is required"));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ErrorBody> typeMismatch(MethodArgumentTypeMismatchException e) {
    return api(ApiException.badRequest(e.getName() + " has an invalid value"));
  }

  /** The database is unreachable: tell the client to come back rather than blaming it. */
  @ExceptionHandler({
    CannotGetJdbcConnectionException.class,
    CannotCreateTransactionException.class,
    DataAccessResourceFailureException.class,
    TransientDataAccessResourceException.class,
    QueryTimeoutException.class
  })
  ResponseEntity<ErrorBody> unavailable(Exception e) {
    DatabaseOutage.report(log, e);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, String.valueOf(DatabaseOutage.RETRY_AFTER_SECONDS))
        .body(ErrorBody.of(DatabaseOutage.exception()));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ErrorBody> unexpected(Exception e) {
    // a lost connection can surface wrapped in anything (JPA, Hibernate, the driver itself)
    if (DatabaseOutage.isOutage(e)) {
      return unavailable(e);
    }
    log.error("Unexpected error", e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .body(new ErrorBody("Internal server error", "internal", null));
  }
}
