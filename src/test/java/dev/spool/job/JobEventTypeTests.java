package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.core.util.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** The one list of event types agrees with what the API description and the docs promise. */
class JobEventTypeTests {

  @Test
  void theOpenApiEventSchemaNamesExactlyTheseTypesInThisOrder() throws IOException {
    JsonNode doc;
    try (InputStream in = new ClassPathResource("openapi/spool.yaml").getInputStream()) {
      doc = Yaml.mapper().readTree(in);
    }
    String description = doc.at("/components/schemas/Event/properties/type/description").asText();
    assertThat(description).endsWith(", or a custom type");
    List<String> named =
        Arrays.stream(
                description
                    .substring(0, description.length() - ", or a custom type".length())
                    .replaceAll("\\([^)]*\\)", "")
                    .split(","))
            .map(String::trim)
            .toList();
    assertThat(named).containsExactlyElementsOf(wires(JobEventType.values()));
  }

  @Test
  void theOperationsDocsListExactlyTheCountedTypes() throws IOException {
    String row =
        Files.readAllLines(Path.of("docs/operations.md")).stream()
            .filter(line -> line.startsWith("| `spool_job_events_total` |"))
            .findFirst()
            .orElseThrow();
    String listed = row.substring(row.indexOf("committed job events:"), row.indexOf("(custom"));
    Matcher names = Pattern.compile("`([a-z_]+)`").matcher(listed);
    List<String> documented = names.results().map(m -> m.group(1)).toList();
    assertThat(documented)
        .containsExactlyElementsOf(
            wires(Arrays.stream(JobEventType.values()).filter(JobEventType::isCounted)));
  }

  @Test
  void eachWireNameReadsBackAsItsTypeAndCustomTypesAreNone() {
    for (JobEventType type : JobEventType.values()) {
      assertThat(JobEventType.fromWire(type.wire())).contains(type);
    }
    assertThat(JobEventType.fromWire("video.encoded")).isEmpty();
    assertThat(JobEventType.fromWire("COMPLETED")).isEmpty();
  }

  @Test
  void theTerminalEventsAreTheOnesThatImplyATerminalStatus() {
    assertThat(Arrays.stream(JobEventType.values()).filter(JobEventType::isTerminal))
        .containsExactly(JobEventType.COMPLETED, JobEventType.DEAD, JobEventType.KILLED);
    assertThat(JobEventType.COMPLETED.impliedStatus()).contains(JobStatus.COMPLETED);
    assertThat(JobEventType.CALLBACK_SENT.impliedStatus()).isEmpty();
  }

  private static List<String> wires(JobEventType... types) {
    return wires(Arrays.stream(types));
  }

  private static List<String> wires(java.util.stream.Stream<JobEventType> types) {
    return types.map(JobEventType::wire).toList();
  }
}
