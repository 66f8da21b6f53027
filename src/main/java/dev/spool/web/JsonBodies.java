package dev.spool.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads request bodies the way the contract wants: size-limited (413), depth-limited (400),
 * content-type checked (415), malformed JSON a 400 — never a 500. Controllers take the raw request
 * and call one of these instead of {@code @RequestBody}, so every endpoint answers bad input
 * identically.
 */
@Component
public class JsonBodies {

  private final SpoolLimits limits;
  private final JsonMapper mapper;

  JsonBodies(SpoolLimits limits) {
    this.limits = limits;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxJsonDepth())
                    // the body limits (BodyLimitFilter) already bound every string; a string over
                    // the document limit must still parse, so that a batch call can refuse just
                    // the item that carries it (413 for that item, not for the whole request)
                    .maxStringLength(
                        (int) Math.min(limits.requestBody().toBytes(), Integer.MAX_VALUE))
                    .maxDocumentLength(limits.requestBody().toBytes())
                    .maxTokenCount(limits.maxJsonTokens())
                    .build())
            .build();
    // Numbers stay as written: a float is kept as a decimal (no rounding to double, no
    // "Infinity" for 1e400) and trailing zeros survive, so documents come back unchanged.
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
  }

  /** A JSON body that must be present. */
  public JsonNode required(HttpServletRequest request) {
    return optional(request)
        .orElseThrow(
            () ->
                new ApiException(
                    HttpStatus.BAD_REQUEST, "missing_body", "Request body is required"));
  }

  /**
   * A body that may be empty (ack, keepalive, kill, ...): empty with or without a content type is
   * fine; a non-empty body must be JSON.
   */
  public Optional<JsonNode> optional(HttpServletRequest request) {
    byte[] bytes = readLimited(request, limits.requestBody().toBytes());
    if (isBlank(bytes)) {
      return Optional.empty();
    }
    requireJsonContentType(request);
    return Optional.of(parse(bytes));
  }

  public JsonNode parse(byte[] bytes) {
    try {
      return mapper.readTree(bytes);
    } catch (StreamConstraintsException e) {
      String why = String.valueOf(e.getMessage());
      if (why.contains("nesting depth")) {
        throw ApiException.badRequest(
            "JSON is nested deeper than " + limits.maxJsonDepth() + " levels");
      }
      if (why.contains("Number value length")) {
        // valid JSON, but a number no client means: refuse it as input, not as a size problem
        throw ApiException.badRequest("JSON number is too long");
      }
      if (why.contains("Token count")) {
        throw ApiException.tooLarge(
            "Request body holds more than " + limits.maxJsonTokens() + " JSON tokens");
      }
      throw ApiException.tooLarge("Request body too large");
    } catch (JacksonException e) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "malformed_json", "Malformed JSON body");
    }
  }

  /** How a 400 says that a field holds text {@link #hasUnstorableText} refuses. */
  public static final String UNSTORABLE_TEXT =
      "must not contain NUL characters or unpaired surrogates";

  /**
   * Whether a string or property name anywhere in the node holds a NUL character or an unpaired
   * surrogate. Both parse as JSON (from escapes), but PostgreSQL's JSON functions refuse the first
   * and UTF-8 cannot carry the second: a document with them could be stored but not processed, or
   * only mangled.
   */
  public static boolean hasUnstorableText(JsonNode node) {
    if (node.isString()) {
      return unstorable(node.asString());
    }
    if (node.isObject()) {
      for (java.util.Map.Entry<String, JsonNode> e : node.properties()) {
        if (unstorable(e.getKey()) || hasUnstorableText(e.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (hasUnstorableText(element)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean unstorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || Character.isLowSurrogate(c)) {
        return true;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  /** Compact JSON text of a node, the form in which documents are stored. */
  public String write(JsonNode node) {
    return mapper.writeValueAsString(node);
  }

  /**
   * Compact JSON text of a stored document (a result, error, progress, checkpoint or event data),
   * refused with 413 when its UTF-8 form is larger than {@code spool.limits.document}: one
   * serialization for both.
   *
   * @param what how the message names the document ("result", "Progress", ...)
   */
  public String writeDocument(JsonNode node, String what) {
    String text = write(node);
    long max = limits.document().toBytes();
    if (utf8Length(text) > max) {
      throw ApiException.tooLarge(what + " is larger than " + max + " bytes");
    }
    return text;
  }

  /** Bytes of the text in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement). */
  static long utf8Length(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  public JsonMapper mapper() {
    return mapper;
  }

  public static void requireJsonContentType(HttpServletRequest request) {
    String contentType = request.getContentType();
    if (contentType == null) {
      throw ApiException.unsupportedMediaType("Content-Type must be application/json");
    }
    try {
      MediaType type = MediaType.parseMediaType(contentType);
      boolean json =
          "application".equals(type.getType())
              && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
      if (!json) {
        throw ApiException.unsupportedMediaType("Content-Type must be application/json");
      }
    } catch (InvalidMediaTypeException e) {
      throw ApiException.unsupportedMediaType("Content-Type must be application/json");
    }
  }

  /**
   * Reads the whole body, answering 413 as soon as it grows past {@code limit} bytes or past the
   * endpoint's own limit ({@link BodyLimitFilter}), whichever is smaller.
   */
  public static byte[] readLimited(HttpServletRequest request, long limit) {
    if (request.getAttribute(BodyLimitFilter.ATTRIBUTE) instanceof Long endpointLimit) {
      limit = Math.min(limit, endpointLimit);
    }
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(limit);
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
      if (bytes.length > limit) {
        throw tooLarge(limit);
      }
      return bytes;
    } catch (IOException e) {
      throw ApiException.badRequest("Could not read the request body");
    }
  }

  static ApiException tooLarge(long limit) {
    return ApiException.tooLarge("Request body too large (max " + limit + " bytes)");
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
