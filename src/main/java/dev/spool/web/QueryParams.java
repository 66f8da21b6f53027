package dev.spool.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Query-string parameters read by hand so that every bad value answers the contract's 400 body with
 * a sentence naming the parameter, instead of a framework conversion error.
 */
public final class QueryParams {

  private QueryParams() {}

  /** A parameter's value; null when absent or empty; 400 when it holds a NUL (SQL text cannot). */
  public static String text(HttpServletRequest request, String name) {
    String value = request.getParameter(name);
    if (value != null && value.indexOf('\u0000') >= 0) {
      throw ApiException.validation(
          java.util.List.of(
              new ApiException.FieldError(name, name + " must not contain NUL characters")));
    }
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * An integer in [min, max]; {@code fallback} when absent; 400 when not a number or out of range.
   */
  public static long integer(
      HttpServletRequest request, String name, long fallback, long min, long max) {
    String value = text(request, name);
    if (value == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw outOfRange(name, min, max);
    }
    if (parsed < min || parsed > max) {
      throw outOfRange(name, min, max);
    }
    return parsed;
  }

  private static ApiException outOfRange(String name, long min, long max) {
    String range =
        max == Long.MAX_VALUE
            ? "an integer of at least " + min
            : "an integer between " + min + " and " + max;
    return ApiException.validation(
        java.util.List.of(new ApiException.FieldError(name, name + " must be " + range)));
  }
}
