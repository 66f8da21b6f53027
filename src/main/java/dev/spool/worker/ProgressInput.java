package dev.spool.worker;

import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import tools.jackson.databind.JsonNode;

/**
 * Validates a progress report (docs/api.md §4.3) and reduces it to the stored shape {@code
 * {percent, message, subProgress}}; the server adds {@code updatedAt}. Unknown fields are dropped
 * rather than stored, so the job's progress is always the documented object.
 */
final class ProgressInput {

  static final int MAX_STAGES = 100;
  static final int MAX_STAGE_NAME = 100;

  private ProgressInput() {}

  /** The progress to store, as a map ready to serialize; 400 listing every failure otherwise. */
  static Map<String, Object> validate(JsonNode body) {
    if (!body.isObject()) {
      throw ApiException.badRequest("Progress must be a JSON object");
    }
    List<FieldError> errors = new ArrayList<>();
    Number percent = percent(body.get("percent"), "percent", true, errors);
    String message = null;
    JsonNode m = body.get("message");
    if (m == null || m.isNull()) {
      errors.add(new FieldError("message", "message is required"));
    } else if (!m.isString() || m.asString().isBlank()) {
      errors.add(new FieldError("message", "message must be a non-empty string"));
    } else {
      message = clean(m.asString());
    }
    Map<String, Object> stages = subProgress(body.get("subProgress"), errors);
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("percent", percent);
    out.put("message", message);
    out.put("subProgress", stages);
    return out;
  }

  private static Map<String, Object> subProgress(JsonNode node, List<FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new FieldError("subProgress", "subProgress must be an object of stages"));
      return null;
    }
    if (node.size() > MAX_STAGES) {
      errors.add(
          new FieldError("subProgress", "subProgress may have at most " + MAX_STAGES + " stages"));
      return null;
    }
    Map<String, Object> stages = new LinkedHashMap<>();
    for (Entry<String, JsonNode> e : node.properties()) {
      String path = "subProgress." + e.getKey();
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_STAGE_NAME) {
        errors.add(new FieldError(path, "subProgress stage names must be 1 to 100 characters"));
        continue;
      }
      JsonNode stage = e.getValue();
      if (!stage.isObject()) {
        errors.add(new FieldError(path, path + " must be an object with percent and message"));
        continue;
      }
      Number percent = percent(stage.get("percent"), path + ".percent", true, errors);
      JsonNode m = stage.get("message");
      String message = null;
      if (m != null && !m.isNull()) {
        if (!m.isString()) {
          errors.add(new FieldError(path + ".message", path + ".message must be a string"));
        } else {
          message = clean(m.asString());
        }
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("percent", percent);
      s.put("message", message);
      stages.put(clean(e.getKey()), s);
    }
    return stages;
  }

  /** Progress is stored as jsonb, which cannot hold NUL: keep the text, mark the character. */
  private static String clean(String text) {
    return text.replace('\u0000', '\uFFFD');
  }

  private static Number percent(
      JsonNode node, String path, boolean required, List<FieldError> errors) {
    if (node == null || node.isNull()) {
      if (required) {
        errors.add(new FieldError(path, path + " is required"));
      }
      return null;
    }
    if (!node.isNumber() || !between0And100(node)) {
      errors.add(new FieldError(path, path + " must be a number between 0 and 100"));
      return null;
    }
    return node.isIntegralNumber() ? (Number) node.asLong() : (Number) node.asDouble();
  }

  /**
   * Compared exactly, never through {@code asDouble()}: bodies keep floats as decimals, and one
   * like {@code 1e400} has no double (Jackson refuses the conversion) — it is simply out of range.
   */
  private static boolean between0And100(JsonNode node) {
    if (node.isFloatingPointNumber() && !node.isBigDecimal()) {
      double d = node.doubleValue();
      return Double.isFinite(d) && d >= 0 && d <= 100;
    }
    BigDecimal value = node.decimalValue();
    return value.signum() >= 0 && value.compareTo(HUNDRED) <= 0;
  }

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
}
