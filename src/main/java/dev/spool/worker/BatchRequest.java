package dev.spool.worker;

import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The body of a batch transition (docs/api.md §4.2 "Batch transitions"): {@code {"jobs": [...]}} of
 * 1 to {@code max} items, each with a string {@code id}, an optional {@code deliveryId} (the batch
 * form of the {@code x-delivery-id} header) and the fields of its single call ({@code result} for a
 * complete; {@code error} and {@code retry} for a fail).
 *
 * <p>Anything malformed is a 400 for the whole request, naming the field by its JSON path, before
 * anything is written: a worker that sends a broken batch learns it at once instead of finding some
 * of its jobs done and others not. What only the database can judge (unknown id, another space,
 * wrong state, stale delivery) and a document over its size limit are per-item outcomes instead.
 */
record BatchRequest(List<Item> items) {

  /** The three batch calls; the fields each item may carry follow its single call. */
  enum Kind {
    ACK,
    COMPLETE,
    FAIL
  }

  /**
   * One item as sent.
   *
   * @param deliveryId null when absent (a blank one counts as absent, like a blank header)
   * @param result a complete's result, or null for none (absent or JSON null)
   * @param error a fail's error (a string or an object), or null for the default
   * @param retry a fail's {@code retry} (default true)
   */
  record Item(String id, String deliveryId, JsonNode result, JsonNode error, boolean retry) {}

  static BatchRequest parse(JsonNode body, Kind kind, int max) {
    if (!body.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    JsonNode jobs = body.get("jobs");
    if (jobs == null || jobs.isNull()) {
      throw invalid("jobs", "jobs is required");
    }
    if (!jobs.isArray()) {
      throw invalid("jobs", "jobs must be an array");
    }
    if (jobs.isEmpty()) {
      throw invalid("jobs", "jobs must contain at least one job");
    }
    if (jobs.size() > max) {
      throw invalid("jobs", "Too many jobs in one request (max " + max + ")");
    }
    List<FieldError> errors = new ArrayList<>();
    List<Item> items = new ArrayList<>(jobs.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      String path = "jobs[" + i + "]";
      JsonNode item = jobs.get(i);
      if (!item.isObject()) {
        errors.add(new FieldError(path, path + " must be an object"));
        continue;
      }
      String id = text(item, path, "id", true, errors);
      String delivery = text(item, path, "deliveryId", false, errors);
      if (id != null) {
        Integer first = seen.putIfAbsent(id, i);
        if (first != null) {
          errors.add(
              new FieldError(
                  path + ".id", path + ".id repeats jobs[" + first + "].id (" + id + ")"));
        }
      }
      JsonNode result = null;
      JsonNode error = null;
      boolean retry = true;
      if (kind == Kind.COMPLETE) {
        result = present(item.get("result"));
      } else if (kind == Kind.FAIL) {
        error = present(item.get("error"));
        if (error != null && !error.isString() && !error.isObject()) {
          errors.add(
              new FieldError(path + ".error", path + ".error must be a string or an object"));
        } else if (error != null && JsonBodies.hasUnstorableText(error)) {
          errors.add(
              new FieldError(path + ".error", path + ".error " + JsonBodies.UNSTORABLE_TEXT));
        }
        JsonNode r = present(item.get("retry"));
        if (r != null && !r.isBoolean()) {
          errors.add(new FieldError(path + ".retry", path + ".retry must be a boolean"));
        }
        retry = r == null || !r.isBoolean() || r.asBoolean();
      }
      items.add(
          new Item(
              id,
              delivery == null || delivery.isBlank() ? null : delivery.trim(),
              result,
              error,
              retry));
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return new BatchRequest(List.copyOf(items));
  }

  /** A string field of an item; a missing required one or a non-string is an error. */
  private static String text(
      JsonNode item, String path, String field, boolean required, List<FieldError> errors) {
    JsonNode v = present(item.get(field));
    String name = path + "." + field;
    if (v == null) {
      if (required) {
        errors.add(new FieldError(name, name + " is required"));
      }
      return null;
    }
    if (!v.isString()) {
      errors.add(new FieldError(name, name + " must be a string"));
      return null;
    }
    return v.asString();
  }

  /** Absent and JSON null are the same: not sent. */
  private static JsonNode present(JsonNode v) {
    return v == null || v.isNull() ? null : v;
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.validation(List.of(new FieldError(field, message)));
  }
}
