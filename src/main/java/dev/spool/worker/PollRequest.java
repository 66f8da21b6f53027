package dev.spool.worker;

import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A poll's body (docs/api.md §4.2): {@code count} 1–50 (default 1), a job-name filter under one of
 * four spellings, and {@code waitSeconds} 0–20 (default 0). Every field is optional; so is the
 * body.
 *
 * @param count most jobs to claim
 * @param names job names to take; empty means any
 * @param waitSeconds how long an empty poll may wait for a job
 * @param ack start the claimed jobs at once (ack on poll): they answer as {@code running}
 */
record PollRequest(int count, List<String> names, int waitSeconds, boolean ack) {

  static final int MAX_COUNT = 50;
  static final int MAX_WAIT_SECONDS = 20;

  /** When several spellings are sent, the first present in this order wins. */
  static final List<String> FILTER_FIELDS = List.of("types", "type", "names", "name");

  /** A poll without ack on poll. */
  PollRequest(int count, List<String> names, int waitSeconds) {
    this(count, names, waitSeconds, false);
  }

  static PollRequest parse(Optional<JsonNode> body) {
    if (body.isEmpty()) {
      return new PollRequest(1, List.of(), 0);
    }
    JsonNode json = body.get();
    if (!json.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    List<FieldError> errors = new ArrayList<>();
    int count = intIn(json, "count", 1, 1, MAX_COUNT, errors);
    int wait = intIn(json, "waitSeconds", 0, 0, MAX_WAIT_SECONDS, errors);
    List<String> names = names(json, errors);
    boolean ack = ack(json, errors);
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return new PollRequest(count, names, wait, ack);
  }

  private static int intIn(
      JsonNode json, String field, int fallback, int min, int max, List<FieldError> errors) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      errors.add(
          new FieldError(field, field + " must be an integer between " + min + " and " + max));
      return fallback;
    }
    return v.asInt();
  }

  /**
   * The {@code ack} flag of a poll or claim body: a boolean, default false (null counts as absent,
   * like the other optional fields).
   */
  static boolean ack(JsonNode json, List<FieldError> errors) {
    JsonNode v = json.get("ack");
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      errors.add(new FieldError("ack", "ack must be a boolean"));
      return false;
    }
    return v.asBoolean();
  }

  /**
   * The filter: the first of {@link #FILTER_FIELDS} that is present (not null, not an empty array).
   * {@code types} and {@code names} are arrays; {@code type} and {@code name} may also be a single
   * string.
   */
  private static List<String> names(JsonNode json, List<FieldError> errors) {
    for (String field : FILTER_FIELDS) {
      JsonNode v = json.get(field);
      if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) {
        continue;
      }
      boolean singleAllowed = field.equals("type") || field.equals("name");
      if (v.isString() && singleAllowed) {
        return List.of(v.asString());
      }
      if (!v.isArray()) {
        errors.add(
            new FieldError(
                field,
                field
                    + (singleAllowed
                        ? " must be a string or an array of strings"
                        : " must be an array of strings")));
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        if (!v.get(i).isString()) {
          errors.add(new FieldError(field + "[" + i + "]", field + "[" + i + "] must be a string"));
          return List.of();
        }
        out.add(v.get(i).asString());
      }
      return List.copyOf(out);
    }
    return List.of();
  }
}
