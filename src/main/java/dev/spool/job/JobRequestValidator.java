package dev.spool.job;

import dev.spool.common.Ids;
import dev.spool.common.Timestamps;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import dev.spool.web.OutboundRequestRules;
import dev.spool.web.SpoolLimits;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Turns a create request body into validated {@link NewJob}s, or fails with the contract's messages
 * ({@code jobs[i].field ...}). A single object is a one-element batch. The whole request is checked
 * before anything is written.
 */
@Component
class JobRequestValidator {

  static final int DEFAULT_MAX_RETRIES = 3;
  static final int DEFAULT_TIMEOUT_SECONDS = 300;
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private final SpoolLimits limits;

  JobRequestValidator(SpoolLimits limits) {
    this.limits = limits;
  }

  /** The parsed batch and whether the request was a single object (answered with one ref). */
  record Batch(List<NewJob> jobs, boolean single) {}

  Batch validate(JsonNode body) {
    List<JsonNode> elements = new ArrayList<>();
    boolean single;
    if (body.isObject()) {
      single = true;
      elements.add(body);
    } else if (body.isArray()) {
      single = false;
      if (body.isEmpty()) {
        throw ApiException.validation(
            List.of(new FieldError("jobs", "jobs must contain at least one job")));
      }
      if (body.size() > limits.jobsPerRequest()) {
        throw ApiException.tooLarge(
            "Too many jobs in one request (max " + limits.jobsPerRequest() + ")");
      }
      body.forEach(elements::add);
    } else {
      throw ApiException.badRequest("Request body must be a job object or an array of job objects");
    }

    List<FieldError> errors = new ArrayList<>();
    List<NewJob> jobs = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      NewJob job = validateOne(elements.get(i), "jobs[" + i + "]", errors);
      if (job != null) {
        jobs.add(job);
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return new Batch(jobs, single);
  }

  private NewJob validateOne(JsonNode job, String path, List<FieldError> errors) {
    if (!job.isObject()) {
      errors.add(new FieldError(path, path + " must be an object"));
      return null;
    }
    int before = errors.size();
    String name = name(job.get("name"), path + ".name", errors);
    JsonNode payload = payload(job.get("payload"), path + ".payload", errors);
    int maxRetries =
        intIn(job.get("maxRetries"), path + ".maxRetries", 0, 25, DEFAULT_MAX_RETRIES, errors);
    int timeout =
        intIn(
            job.get("timeoutSeconds"),
            path + ".timeoutSeconds",
            1,
            86400,
            DEFAULT_TIMEOUT_SECONDS,
            errors);
    int backoff = intIn(job.get("backoffSeconds"), path + ".backoffSeconds", 0, 3600, 0, errors);
    Instant scheduledFor = timestamp(job.get("scheduledFor"), path + ".scheduledFor", errors);
    String callbackUrl = callbackUrl(job.get("callbackUrl"), path + ".callbackUrl", errors);
    JsonNode callbackHeaders =
        callbackHeaders(job.get("callbackHeaders"), path + ".callbackHeaders", errors);
    if (errors.size() > before) {
      return null;
    }
    return new NewJob(
        Ids.next(),
        name,
        payload,
        maxRetries,
        timeout,
        backoff,
        scheduledFor,
        callbackUrl,
        callbackHeaders);
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private static String name(JsonNode node, String field, List<FieldError> errors) {
    if (absent(node)) {
      errors.add(new FieldError(field, field + " is required"));
      return null;
    }
    String name = node.isString() ? node.asString() : "";
    // characters, not UTF-16 units: PostgreSQL's char_length, which the table's CHECK uses
    int chars = node.isString() ? name.codePointCount(0, name.length()) : 0;
    if (chars < 1 || chars > 255) {
      errors.add(new FieldError(field, field + " must be a string of 1 to 255 characters"));
      return null;
    }
    if (hasControlOrLoneSurrogate(name)) {
      errors.add(new FieldError(field, field + " must not contain control characters"));
      return null;
    }
    return name;
  }

  private static JsonNode payload(JsonNode node, String field, List<FieldError> errors) {
    if (absent(node)) {
      return null;
    }
    if (JsonBodies.hasUnstorableText(node)) {
      errors.add(
          new FieldError(field, field + " must not contain NUL characters or unpaired surrogates"));
      return null;
    }
    // its serialized size (limit: spool.limits.document) is measured when the batch is written
    return node;
  }

  /**
   * A whole number within [min, max]: {@code 3} and {@code 3.0} pass. Compared as decimals, so
   * {@code 1e400} or a 30-digit integer are simply out of range (no double overflow).
   */
  private static int intIn(
      JsonNode node, String field, int min, int max, int fallback, List<FieldError> errors) {
    if (absent(node)) {
      return fallback;
    }
    BigDecimal value = node.isNumber() ? node.decimalValue() : null;
    if (value == null
        || value.signum() != 0 && value.stripTrailingZeros().scale() > 0
        || value.compareTo(BigDecimal.valueOf(min)) < 0
        || value.compareTo(BigDecimal.valueOf(max)) > 0) {
      errors.add(new FieldError(field, field + " must be between " + min + " and " + max));
      return fallback;
    }
    return value.intValue();
  }

  private static Instant timestamp(JsonNode node, String field, List<FieldError> errors) {
    if (absent(node)) {
      return null;
    }
    Instant parsed = node.isString() ? Timestamps.parse(node.asString()).orElse(null) : null;
    if (parsed == null) {
      errors.add(new FieldError(field, field + " must be an ISO 8601 timestamp"));
    } else if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
      // ISO 8601 allows years the database (and the API's four-digit format) cannot hold
      errors.add(new FieldError(field, field + " must be between years 0001 and 9999"));
      return null;
    }
    return parsed;
  }

  private static String callbackUrl(JsonNode node, String field, List<FieldError> errors) {
    return absent(node) ? null : OutboundRequestRules.url(node, field, errors);
  }

  /**
   * Control characters, and lone surrogates (from a JSON escape such as backslash-u-D800): no
   * character at all, and not storable as UTF-8. A plain loop: this runs for every job.
   */
  private static boolean hasControlOrLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        return true;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private JsonNode callbackHeaders(JsonNode node, String field, List<FieldError> errors) {
    if (absent(node)) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new FieldError(field, field + " must be an object of string values"));
      return null;
    }
    if (node.size() > OutboundRequestRules.MAX_HEADERS) {
      errors.add(new FieldError(field, field + " must have at most 50 headers"));
      return null;
    }
    int before = errors.size();
    for (Map.Entry<String, JsonNode> header : node.properties()) {
      OutboundRequestRules.header(
          header.getKey(), header.getValue(), field + "." + header.getKey(), errors);
    }
    return errors.size() > before ? null : node;
  }
}
