package dev.spool.worker;

import dev.spool.web.JsonBodies;
import tools.jackson.databind.JsonNode;

/**
 * A fail's {@code error} as stored: the JSON document (in the dead job's result and the events) and
 * the job's {@code lastError} text — the string itself, an object's string {@code message}, or else
 * the object's JSON. Shared by the single and the batch fail so both store a failure alike.
 *
 * @param errorJson the error as JSON text (a string or an object)
 * @param lastError the same error as the job's {@code lastError}
 */
record FailureText(String errorJson, String lastError) {

  static final String DEFAULT_ERROR = "Job failed";

  /**
   * @param error a string, an object, or null for the default; the caller has refused other types
   * @throws dev.spool.web.ApiException 413 when the error is over the document size limit
   */
  static FailureText of(JsonNode error, JsonBodies bodies) {
    if (error == null || error.isNull()) {
      return new FailureText(bodies.mapper().writeValueAsString(DEFAULT_ERROR), DEFAULT_ERROR);
    }
    String errorJson = bodies.writeDocument(error, "error");
    if (error.isString()) {
      return new FailureText(errorJson, error.asString());
    }
    JsonNode message = error.get("message");
    return new FailureText(
        errorJson, message != null && message.isString() ? message.asString() : errorJson);
  }
}
