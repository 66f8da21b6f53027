package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The first-start banner is the only place a key is ever logged, and it never comes back. */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapOnceIntegrationTests extends IntegrationTest {

  @Autowired Bootstrap bootstrap;

  @Test
  void aSecondStartAgainstTheSameDatabasePrintsNoKey(CapturedOutput output) {
    long keys = jdbc.sql("SELECT count(*) FROM api_keys").query(Long.class).single();

    bootstrap.run(new DefaultApplicationArguments());

    assertThat(output.getAll()).doesNotContain("Spool first start").doesNotContain("shown once");
    assertThat(jdbc.sql("SELECT count(*) FROM api_keys").query(Long.class).single())
        .isEqualTo(keys);
  }
}
