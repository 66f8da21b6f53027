package dev.spool.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RetentionPropertiesTests {

  static Duration bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("spool", RetentionProperties.class)
        .retention();
  }

  @Test
  void retentionDefaultsToSevenDays() {
    assertThat(bind(Map.of())).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void retentionAcceptsSimpleAndIsoDurations() {
    assertThat(bind(Map.of("spool.retention", "3d"))).isEqualTo(Duration.ofDays(3));
    assertThat(bind(Map.of("spool.retention", "12h"))).isEqualTo(Duration.ofHours(12));
    assertThat(bind(Map.of("spool.retention", "P2D"))).isEqualTo(Duration.ofDays(2));
    assertThat(bind(Map.of("spool.retention", "PT90M"))).isEqualTo(Duration.ofMinutes(90));
  }
}
