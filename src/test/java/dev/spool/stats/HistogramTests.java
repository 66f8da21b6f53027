package dev.spool.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HistogramTests {

  @Test
  void aPercentileIsWithinNinePercentOfTheSampleItFallsOn() {
    Histogram h = new Histogram();
    for (int ms = 1; ms <= 1000; ms++) {
      h.add(Histogram.bucketOf(ms), 1);
    }

    assertThat(h.quantile(0.5)).isBetween(455L, 545L);
    assertThat(h.quantile(0.95)).isBetween(864L, 1036L);
  }

  @Test
  void storedMinutesMergeIntoOneDistribution() {
    Histogram h = new Histogram();
    h.addAll(Map.of(String.valueOf(Histogram.bucketOf(10)), 90L));
    h.addAll(Map.of(String.valueOf(Histogram.bucketOf(5000)), 10L));

    assertThat(h.quantile(0.5)).isBetween(9L, 11L);
    assertThat(h.quantile(0.95)).isBetween(4550L, 5450L);
  }

  @Test
  void anEmptyHistogramAndSubMillisecondSamplesReadAsZeroAndOne() {
    assertThat(new Histogram().quantile(0.5)).isZero();
    Histogram h = new Histogram();
    h.add(Histogram.bucketOf(0.2), 3);
    assertThat(h.quantile(0.95)).isEqualTo(1);
  }
}
