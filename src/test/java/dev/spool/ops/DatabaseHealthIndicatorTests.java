package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

class DatabaseHealthIndicatorTests {

  @Test
  void theExpectedSchemaIsTheHighestVersionedMigrationOnTheClasspath() {
    MigrationVersion latest =
        DatabaseHealthIndicator.latestShipped(List.of("classpath:db/migration"));
    assertThat(latest.compareTo(MigrationVersion.fromVersion("1"))).isGreaterThanOrEqualTo(0);
  }

  @Test
  void locationsOutsideTheClasspathAreIgnored() {
    assertThat(DatabaseHealthIndicator.latestShipped(List.of("filesystem:/nowhere")))
        .isEqualTo(MigrationVersion.EMPTY);
  }
}
