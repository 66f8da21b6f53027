package dev.spool.common;

import java.time.Instant;
import java.time.LocalDate;
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

  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years the hand-written format covers. */
  private static final long FIRST_SECOND = -62_135_596_800L;

  private static final long LAST_SECOND = 253_402_300_799L;

  private Timestamps() {}

  public static String format(Instant instant) {
    if (instant == null) {
      return null;
    }
    // Written out by hand: every job in a response carries up to seven timestamps, and the
    // pattern formatter cost about 3 % of a request thread's CPU in the dispatch benchmark. Years
    // outside 1–9999 (which the four-digit pattern prints differently) still go through it.
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_SECOND || seconds > LAST_SECOND) {
      return OUT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    int ofDay = (int) Math.floorMod(seconds, 86_400L);
    int year = date.getYear();
    char[] out = new char[24];
    digits(out, 0, year, 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, ofDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, ofDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, ofDay % 60, 2);
    out[19] = '.';
    digits(out, 20, instant.getNano() / 1_000_000, 3);
    out[23] = 'Z';
    return new String(out);
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
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
