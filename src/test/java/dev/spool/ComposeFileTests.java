package dev.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml must start as is on a fresh clone: no variable without a default, no env file
 * that must exist, the database on the compose network only, management ports on loopback only. (No
 * Docker engine runs where the tests run, so this reads the file as Compose would.)
 */
class ComposeFileTests {

  private static final Pattern VARIABLE = Pattern.compile("(?<!\\$)\\$\\{([^}]*)}");

  private final String text = read();
  private final Map<String, Object> compose = new Yaml().load(text);

  @Test
  void everyVariableHasADefault() {
    Matcher m = VARIABLE.matcher(text);
    int seen = 0;
    while (m.find()) {
      seen++;
      assertThat(m.group(1)).as("${%s}", m.group(1)).contains(":-").doesNotContain(":?");
    }
    assertThat(seen).isPositive();
  }

  @Test
  void noEnvFileIsRequired() {
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      Object envFile = service.getValue().get("env_file");
      if (envFile == null) {
        continue;
      }
      assertThat(envFile).as("env_file of %s", service.getKey()).isInstanceOf(List.class);
      for (Object entry : (List<?>) envFile) {
        assertThat(entry)
            .as("an env_file of %s is optional", service.getKey())
            .isInstanceOfSatisfying(
                Map.class, e -> assertThat(e.get("required")).isEqualTo(Boolean.FALSE));
      }
    }
  }

  @Test
  void theDatabaseIsReachableOnlyOnTheComposeNetwork() {
    assertThat(services().get("postgres")).doesNotContainKey("ports");
  }

  @Test
  void managementPortsAreBoundToLoopbackOnly() {
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      Object ports = service.getValue().get("ports");
      if (ports == null) {
        continue;
      }
      for (Object port : (List<?>) ports) {
        if (port.toString().endsWith(":8081")) {
          assertThat(port.toString()).as(service.getKey()).startsWith("127.0.0.1:");
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> services() {
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  private static String read() {
    try {
      return Files.readString(Path.of("docker-compose.yml"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
