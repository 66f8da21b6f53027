package dev.spool.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The contract's error body: {@code error} always, {@code code} and {@code details} optional. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorBody(String error, String code, List<ApiException.FieldError> details) {

  public static ErrorBody of(ApiException e) {
    return new ErrorBody(e.getMessage(), e.code(), e.details());
  }
}
