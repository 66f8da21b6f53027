package dev.spool.web;

import dev.spool.web.ApiException.FieldError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What a client may ask Spool to send on its behalf (callback URLs and headers, push and Slack
 * URLs): the one set of rules, checked when the request is accepted. The address a URL resolves to
 * is checked again at send time by the webhook sender's address guard.
 */
public final class OutboundRequestRules {

  public static final int MAX_URL_LENGTH = 2048;
  public static final int MAX_HEADERS = 50;

  /** Headers Spool sets itself; {@code webhook-*} is reserved for signatures as well. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of("host", "content-length", "content-type", "transfer-encoding", "connection");

  private OutboundRequestRules() {}

  /**
   * The URL of a present node when it is an absolute http(s) URL of at most 2048 characters without
   * credentials; otherwise adds an error naming {@code field} and returns null.
   */
  public static String url(JsonNode node, String field, List<FieldError> errors) {
    if (!node.isString() || node.asString().length() > MAX_URL_LENGTH) {
      errors.add(
          new FieldError(
              field, field + " must be an absolute http or https URL of at most 2048 characters"));
      return null;
    }
    String message = field + " must be an absolute http or https URL";
    try {
      URI uri = new URI(node.asString());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        errors.add(new FieldError(field, message));
        return null;
      }
      if (uri.getRawUserInfo() != null) {
        errors.add(new FieldError(field, field + " must not contain credentials"));
        return null;
      }
    } catch (URISyntaxException e) {
      errors.add(new FieldError(field, message));
      return null;
    }
    return node.asString();
  }

  /**
   * Whether one header may be sent: a token name that Spool does not set itself, and a string value
   * without line breaks. Adds an error naming {@code path} when not.
   */
  public static boolean header(String name, JsonNode value, String path, List<FieldError> errors) {
    String lower = name.toLowerCase(Locale.ROOT);
    String problem;
    if (!isToken(name)) {
      problem = " is not a valid header name";
    } else if (RESERVED_HEADERS.contains(lower) || lower.startsWith("webhook-")) {
      problem = " is reserved and cannot be set";
    } else if (!value.isString()) {
      problem = " must be a string";
    } else if (value.asString().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      problem = " must not contain line breaks";
    } else {
      return true;
    }
    errors.add(new FieldError(path, path + problem));
    return false;
  }

  /** RFC 9110 token: the characters a header name may use. */
  static boolean isToken(String name) {
    if (name.isEmpty() || name.length() > 256) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
