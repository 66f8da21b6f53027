package dev.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/configuration.md lists every {@code spool.*} property the build knows (the configuration
 * metadata generated from the {@code @ConfigurationProperties} records plus the hand-written
 * additional metadata), and has no empty sections.
 */
class ConfigurationDocsTests {

  private final String doc = read(Path.of("docs", "configuration.md"));

  @Test
  void everySpoolPropertyIsDocumented() {
    JsonNode metadata =
        JsonMapper.builder()
            .build()
            .readTree(
                read(
                    Path.of(
                        "target", "classes", "META-INF", "spring-configuration-metadata.json")));
    List<String> names = new ArrayList<>();
    for (JsonNode property : metadata.get("properties")) {
      String name = property.get("name").asString();
      if (name.startsWith("spool.")) {
        names.add(name);
      }
    }

    assertThat(names).as("spool.* properties in the metadata").hasSizeGreaterThan(40);
    assertThat(names)
        .as("properties missing from docs/configuration.md")
        .allSatisfy(n -> assertThat(doc).contains("`" + n + "`"));
  }

  @Test
  void everySectionHasContent() {
    assertThat(
            Pattern.compile("^#{2,3} .*\\n\\s*\\n#{2,3} ", Pattern.MULTILINE).matcher(doc).find())
        .as("a heading directly followed by another")
        .isFalse();
    assertThat(doc).doesNotContain("<!--").doesNotContain("lead:");
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
