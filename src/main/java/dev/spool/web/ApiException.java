package dev.spool.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * An error the API answers with its contract body {@code {"error", "code", "details"}}. Thrown
 * anywhere; translated in one place by {@link ApiExceptionHandler}. Use the factory methods so the
 * status, code and message stay consistent.
 */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final String code;
  private final List<FieldError> details;

  public ApiException(HttpStatus status, String code, String message) {
    this(status, code, message, List.of());
  }

  public ApiException(HttpStatus status, String code, String message, List<FieldError> details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = List.copyOf(details);
  }

  public HttpStatus status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<FieldError> details() {
    return details;
  }

  /** One field that failed validation, named by its JSON path. */
  public record FieldError(String field, String message) {}

  public static ApiException badRequest(String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request", message);
  }

  /** 400 naming the first failure in {@code error} and listing all of them in {@code details}. */
  public static ApiException validation(List<FieldError> errors) {
    FieldError first = errors.get(0);
    return new ApiException(HttpStatus.BAD_REQUEST, "validation_failed", first.message(), errors);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", message);
  }

  public static ApiException missingScope(String scope) {
    return new ApiException(
        HttpStatus.FORBIDDEN, "missing_scope", "Missing required scope: " + scope);
  }

  public static ApiException wrongSpace() {
    return new ApiException(
        HttpStatus.FORBIDDEN, "forbidden_space", "API key cannot access this space");
  }

  public static ApiException notFound(String what) {
    return new ApiException(HttpStatus.NOT_FOUND, "not_found", what + " not found");
  }

  public static ApiException conflict(String code, String message) {
    return new ApiException(HttpStatus.CONFLICT, code, message);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "too_large", message);
  }

  public static ApiException unsupportedMediaType(String message) {
    return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message);
  }

  /** 406: the {@code Accept} header admits no JSON, the only thing the API produces. */
  public static ApiException notAcceptable() {
    return new ApiException(
        HttpStatus.NOT_ACCEPTABLE, "not_acceptable", "Only application/json is produced");
  }
}
