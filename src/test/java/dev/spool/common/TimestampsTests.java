package dev.spool.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTests {

  /** The pattern the API's format is defined by; the hand-written one must print the same. */
  private static final DateTimeFormatter PATTERN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static String byPattern(Instant i) {
    return PATTERN.format(i.truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void printsWhatThePatternPrintsAcrossTheWholeRangeAndItsEdges() {
    SplittableRandom random = new SplittableRandom(12);
    for (int n = 0; n < 200_000; n++) {
      Instant i =
          Instant.ofEpochSecond(
              random.nextLong(-62_135_596_800L - 86_400L * 800, 253_402_300_799L + 86_400L * 800),
              random.nextInt(1_000_000_000));
      assertThat(Timestamps.format(i)).as(i.toString()).isEqualTo(byPattern(i));
    }
    for (Instant i :
        new Instant[] {
          Instant.EPOCH,
          Instant.ofEpochSecond(-1, 999_999_999),
          Instant.parse("0001-01-01T00:00:00Z"),
          Instant.parse("0000-12-31T23:59:59.999Z"),
          Instant.parse("9999-12-31T23:59:59.999999999Z"),
          Instant.parse("+10000-01-01T00:00:00Z"),
          Instant.parse("2024-02-29T12:34:56.789Z"),
          Instant.parse("2026-12-06T23:59:59.9995Z")
        }) {
      assertThat(Timestamps.format(i)).as(i.toString()).isEqualTo(byPattern(i));
    }
    assertThat(Timestamps.format(Instant.parse("2026-12-06T01:02:03.004567Z")))
        .isEqualTo("2026-12-06T01:02:03.004Z");
    assertThat(Timestamps.format((Instant) null)).isNull();
  }
}
