package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

class DatabaseHealthIndicatorTests {

  @Test
  void theExpectedSchemaIsTheHighestVersionedMigrationOnTheClasspath() throws IOException {
    // the highest V<version>__ file in the sources, compared as versions (V64 > V9)
    MigrationVersion highest = MigrationVersion.EMPTY;
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
      for (Path f : files.toList()) {
        Matcher m = Pattern.compile("V([0-9._]+)__.*\\.sql").matcher(f.getFileName().toString());
        if (m.matches()) {
          MigrationVersion v = MigrationVersion.fromVersion(m.group(1).replace('_', '.'));
          highest = v.compareTo(highest) > 0 ? v : highest;
        }
      }
    }
    assertThat(highest).isNotEqualTo(MigrationVersion.EMPTY);

    assertThat(DatabaseHealthIndicator.latestShipped(List.of("classpath:db/migration")))
        .isEqualTo(highest);
  }

  @Test
  void locationsOutsideTheClasspathAreIgnored() {
    assertThat(DatabaseHealthIndicator.latestShipped(List.of("filesystem:/nowhere")))
        .isEqualTo(MigrationVersion.EMPTY);
  }
}
