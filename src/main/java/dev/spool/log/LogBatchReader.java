package dev.spool.log;

import dev.spool.common.Timestamps;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * Turns a log batch body into validated records: NDJSON or a JSON array, optionally gzip. The size
 * limit counts uncompressed bytes while inflating, so a gzip bomb is refused after at most {@code
 * maxBytes + 1} inflated bytes. Any bad record rejects the whole batch with a 400 that names its
 * line (NDJSON) or record (array) number, 1-based.
 */
final class LogBatchReader {

  static final int MAX_ERRORS_LISTED = 20;

  /** Four-digit years only: what the API's timestamp format and PostgreSQL both represent. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  enum Format {
    NDJSON,
    JSON_ARRAY
  }

  /**
   * One accepted record.
   *
   * @param timestamp the record's own time in the API format, or null to use the receive time
   * @param data the record's data, or null
   */
  record LogRecord(LogLevel level, String message, String timestamp, JsonNode data) {}

  private final JsonBodies bodies;
  private final int maxLines;
  private final long maxBytes;

  LogBatchReader(JsonBodies bodies, int maxLines, long maxBytes) {
    this.bodies = bodies;
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /** NDJSON for {@code application/x-ndjson} (and its aliases), an array for JSON; else 415. */
  static Format format(String contentType) {
    if (contentType != null) {
      try {
        MediaType type = MediaType.parseMediaType(contentType);
        String sub = type.getSubtype().toLowerCase(Locale.ROOT);
        if ("application".equals(type.getType())) {
          if (sub.equals("x-ndjson")
              || sub.equals("ndjson")
              || sub.equals("jsonl")
              || sub.equals("x-jsonlines")
              || sub.equals("jsonlines")) {
            return Format.NDJSON;
          }
          if (sub.equals("json")) {
            return Format.JSON_ARRAY;
          }
        }
      } catch (InvalidMediaTypeException e) {
        // answered below
      }
    }
    throw ApiException.unsupportedMediaType(
        "Content-Type must be application/x-ndjson or application/json");
  }

  /** True for {@code gzip}; false for none or {@code identity}; 415 for any other coding. */
  static boolean gzip(String contentEncoding) {
    if (contentEncoding == null || contentEncoding.isBlank()) {
      return false;
    }
    String coding = contentEncoding.trim().toLowerCase(Locale.ROOT);
    if (coding.equals("gzip") || coding.equals("x-gzip")) {
      return true;
    }
    if (coding.equals("identity")) {
      return false;
    }
    throw ApiException.unsupportedMediaType("Content-Encoding must be gzip or identity");
  }

  /** Inflates a gzip body, stopping with 413 as soon as it exceeds the uncompressed limit. */
  byte[] inflate(byte[] compressed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        if (out.size() > maxBytes) {
          throw tooLarge();
        }
      }
    } catch (EOFException e) {
      throw ApiException.badRequest("The gzip body is truncated");
    } catch (ZipException e) {
      throw ApiException.badRequest("The body is not valid gzip");
    } catch (IOException e) {
      throw ApiException.badRequest("The gzip body could not be read");
    }
    return out.toByteArray();
  }

  ApiException tooLarge() {
    return ApiException.tooLarge("Log batch larger than " + maxBytes + " bytes uncompressed");
  }

  List<LogRecord> read(byte[] body, Format format) {
    if (body.length > maxBytes) {
      throw tooLarge();
    }
    List<LogRecord> records = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    if (format == Format.NDJSON) {
      int start = 0;
      int lineNo = 0;
      while (start <= body.length) {
        int end = indexOf(body, (byte) '\n', start);
        lineNo++;
        String line = new String(body, start, end - start, StandardCharsets.UTF_8).strip();
        if (!line.isEmpty()) {
          countOne(records.size());
          records.add(record(parseLine(line, lineNo, errors), "line " + lineNo, errors));
        }
        start = end + 1;
      }
    } else {
      JsonNode array = bodies.parse(body);
      if (!array.isArray()) {
        throw ApiException.badRequest("A JSON log batch must be an array of log records");
      }
      if (array.size() > maxLines) {
        countOne(maxLines);
      }
      for (int i = 0; i < array.size(); i++) {
        records.add(record(array.get(i), "record " + (i + 1), errors));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors.subList(0, Math.min(errors.size(), MAX_ERRORS_LISTED)));
    }
    if (records.isEmpty()) {
      throw ApiException.badRequest("The log batch contains no records");
    }
    return records;
  }

  private void countOne(int already) {
    if (already >= maxLines) {
      throw ApiException.tooLarge("Too many log lines in one request (max " + maxLines + ")");
    }
  }

  private JsonNode parseLine(String line, int lineNo, List<FieldError> errors) {
    try {
      return bodies.parse(line.getBytes(StandardCharsets.UTF_8));
    } catch (ApiException e) {
      errors.add(new FieldError("line " + lineNo, "line " + lineNo + ": " + e.getMessage()));
      return null;
    }
  }

  /** Validates one record; null (with an error added) when it is bad. */
  private LogRecord record(JsonNode node, String where, List<FieldError> errors) {
    if (node == null) {
      return null; // unparseable, already reported
    }
    int before = errors.size();
    if (!node.isObject()) {
      errors.add(new FieldError(where, where + ": must be a JSON object"));
      return null;
    }
    JsonNode level = node.get("level");
    LogLevel parsedLevel = null;
    if (level == null || level.isNull()) {
      errors.add(new FieldError(where + ".level", where + ": level is required"));
    } else if (!level.isString()
        || (parsedLevel = LogLevel.parse(level.asString()).orElse(null)) == null) {
      errors.add(
          new FieldError(where + ".level", where + ": level must be one of " + LogLevel.NAMES));
    }
    JsonNode message = node.get("message");
    if (message == null || message.isNull()) {
      errors.add(new FieldError(where + ".message", where + ": message is required"));
    } else if (!message.isString()) {
      errors.add(new FieldError(where + ".message", where + ": message must be a string"));
    }
    String timestamp = timestamp(node.get("timestamp"), where, errors);
    if (errors.size() > before) {
      return null;
    }
    JsonNode data = node.get("data");
    return new LogRecord(
        parsedLevel,
        // PostgreSQL text cannot hold NUL; keep the line rather than fail the batch
        message.asString().replace('\u0000', '\uFFFD'),
        timestamp,
        data == null || data.isNull() ? null : data);
  }

  /** ISO 8601 text with an offset, or epoch milliseconds; null when absent. */
  private static String timestamp(JsonNode node, String where, List<FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    Instant parsed = null;
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      parsed = Instant.ofEpochMilli(node.asLong());
    } else if (node.isString()) {
      parsed = Timestamps.parse(node.asString()).orElse(null);
    }
    if (parsed != null && !parsed.isBefore(EARLIEST) && !parsed.isAfter(LATEST)) {
      return Timestamps.format(parsed);
    }
    errors.add(
        new FieldError(
            where + ".timestamp",
            where + ": timestamp must be an ISO 8601 date-time or epoch milliseconds"));
    return null;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return bytes.length;
  }
}
