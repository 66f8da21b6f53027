package dev.spool.space;

import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import dev.spool.web.OutboundRequestRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Validates the {@code push} and {@code slack} fields of {@code PATCH /spaces/:id} (docs/api.md
 * §7). URLs follow the rules of {@code callbackUrl}, push headers those of {@code callbackHeaders};
 * the addresses themselves are checked at send time by the webhook address guard.
 */
final class NotificationSettings {

  static final List<String> SLACK_EVENTS =
      List.of("created", "started", "completed", "failed", "dead", "killed");
  static final List<String> DEFAULT_SLACK_EVENTS = List.of("completed", "dead", "killed");
  static final int MAX_NAMES = 100;

  /** Push settings; null fields mean off. */
  record Push(String url, Map<String, String> headers, String[] names) {}

  record Slack(String url, String[] events) {}

  private NotificationSettings() {}

  /** The push settings of a present {@code push} field: null (turn off) or valid settings. */
  static Push push(JsonNode node, List<FieldError> errors) {
    if (node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new FieldError("push", "push must be an object or null"));
      return null;
    }
    String url = url(node.get("url"), "push.url", errors);
    Map<String, String> headers = headers(node.get("headers"), "push.headers", errors);
    List<String> names = new ArrayList<>();
    JsonNode namesNode = node.get("names");
    if (namesNode != null && !namesNode.isNull()) {
      if (!namesNode.isArray() || namesNode.size() > MAX_NAMES) {
        errors.add(
            new FieldError("push.names", "push.names must be an array of at most 100 job names"));
      } else {
        for (JsonNode n : namesNode) {
          if (!n.isString()
              || n.asString().isEmpty()
              || n.asString().length() > 255
              || JsonBodies.hasUnstorableText(n)) {
            errors.add(
                new FieldError(
                    "push.names",
                    "push.names must contain job names of 1 to 255 characters, without NUL"
                        + " characters or unpaired surrogates"));
            break;
          }
          names.add(n.asString());
        }
      }
    }
    return new Push(url, headers, names.toArray(String[]::new));
  }

  static Slack slack(JsonNode node, List<FieldError> errors) {
    if (node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new FieldError("slack", "slack must be an object or null"));
      return null;
    }
    String url = url(node.get("url"), "slack.url", errors);
    JsonNode eventsNode = node.get("events");
    Set<String> events = new LinkedHashSet<>();
    if (eventsNode == null || eventsNode.isNull()) {
      events.addAll(DEFAULT_SLACK_EVENTS);
    } else if (!eventsNode.isArray()) {
      errors.add(new FieldError("slack.events", "slack.events must be an array"));
    } else {
      for (JsonNode e : eventsNode) {
        if (!e.isString() || !SLACK_EVENTS.contains(e.asString())) {
          errors.add(
              new FieldError(
                  "slack.events",
                  "slack.events must contain only " + String.join(", ", SLACK_EVENTS)));
          break;
        }
        events.add(e.asString());
      }
    }
    return new Slack(url, events.toArray(String[]::new));
  }

  private static String url(JsonNode node, String field, List<FieldError> errors) {
    if (node == null || node.isNull()) {
      errors.add(new FieldError(field, field + " is required"));
      return null;
    }
    return OutboundRequestRules.url(node, field, errors);
  }

  private static Map<String, String> headers(JsonNode node, String field, List<FieldError> errors) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject() || node.size() > OutboundRequestRules.MAX_HEADERS) {
      errors.add(new FieldError(field, field + " must be an object of at most 50 string values"));
      return out;
    }
    for (Map.Entry<String, JsonNode> header : node.properties()) {
      String path = field + "." + header.getKey();
      if (OutboundRequestRules.header(header.getKey(), header.getValue(), path, errors)) {
        out.put(header.getKey(), header.getValue().asString());
      }
    }
    return out;
  }
}
