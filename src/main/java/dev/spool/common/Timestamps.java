package dev.spool.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The API's one timestamp format: ISO 8601 UTC with milliseconds and {@code Z}. */
public final class Timestamps {

  private static final DateTimeFormatter OUT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String format(Instant instant) {
    return instant == null ? null : OUT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String format(OffsetDateTime time) {
    return time == null ? null : format(time.toInstant());
  }

  /** Parses any ISO 8601 date-time with an offset or {@code Z}; empty when it is not one. */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(DateTimeFormatter.ISO_ZONED_DATE_TIME.parse(text, Instant::from));
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }
}
