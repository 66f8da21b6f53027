package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LogRedactionTests {

  private final Pattern secrets = LogRedaction.pattern("emit_");

  @Test
  void tokenQueryValuesAndKeyShapedStringsAreReplaced() {
    assertThat(LogRedaction.redact(secrets, "GET \"/api/v1/realtime/J1?token=abc&since=4\", x"))
        .isEqualTo("GET \"/api/v1/realtime/J1?token=[redacted]&since=4\", x");
    assertThat(
            LogRedaction.redact(secrets, "key emit_4e1zMDM-I8pJosrckvgA1dt3uMgcPWqdOkvsG1s7 bad"))
        .isEqualTo("key [redacted] bad");
  }

  @Test
  void redactedTextIsNotRedactedAgain() {
    String once = LogRedaction.redact(secrets, "/x?token=abc");
    assertThat(LogRedaction.redact(secrets, once)).isSameAs(once);
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String line = "POST /api/v1/spaces/01J/jobs 201 12ms key=01JKEYID prefix emit_abc";
    assertThat(LogRedaction.redact(secrets, line)).isSameAs(line);
  }
}
