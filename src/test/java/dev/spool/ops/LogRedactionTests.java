package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import dev.spool.space.KeyProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
  void webhookSigningSecretsAreReplaced() {
    assertThat(LogRedaction.redact(secrets, "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw= set"))
        .isEqualTo("secret [redacted] set");
  }

  @Test
  void exceptionMessagesAndTheirCausesAreRedactedKeepingTheirFrames() {
    IllegalArgumentException tomcat =
        new IllegalArgumentException(
            "Invalid character found in the request target [/api/v1/realtime/J?token=emit_"
                + "4e1zMDM-I8pJosrckvgA1dt3uMgcPWqdOkvsG1s7{]");
    RuntimeException wrapper = new RuntimeException("parse failed", tomcat);
    Throwable clean = LogRedaction.redact(secrets, wrapper, 0);

    assertThat(clean).isNotSameAs(wrapper);
    assertThat(clean.getStackTrace()).isEqualTo(wrapper.getStackTrace());
    assertThat(clean.getCause().getMessage())
        .startsWith("java.lang.IllegalArgumentException: Invalid character")
        .contains("?token=[redacted]")
        .doesNotContain("4e1zMDM");
    RuntimeException plain = new RuntimeException("nothing secret");
    assertThat(LogRedaction.redact(secrets, plain, 0)).isSameAs(plain);
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

  @Test
  void theFilterIsBackAfterAnotherApplicationReinitialisesLogging() {
    // Spring Boot resets Logback whenever another application starts in the JVM; the reset drops
    // every turbo filter, and a key in a DEBUG line would then reach the appenders.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    new LogRedaction(new KeyProperties("emit_", Duration.ofSeconds(5), 100));
    // what Spring Boot's logging initialisation does to Logback when another application starts
    context.stop();
    context.reset();
    assertThat(context.getTurboFilterList()).isEmpty();
    new LogRedaction.ReinstallAfterLoggingInit().onApplicationEvent(null);
    assertThat(context.getTurboFilterList())
        .extracting(TurboFilter::getName)
        .containsOnlyOnce(LogRedaction.NAME);
    Logger logger = context.getLogger("redaction-test");
    List<String> seen = new ArrayList<>();
    ListAppender<ILoggingEvent> appender =
        new ListAppender<>() {
          @Override
          protected void append(ILoggingEvent event) {
            seen.add(event.getFormattedMessage());
          }
        };
    appender.start();
    logger.addAppender(appender);
    logger.warn("GET /api/v1/realtime/01J?token=emit_abcdefghijklmnopqrstuvwxyz");
    logger.detachAppender(appender);
    assertThat(seen).containsExactly("GET /api/v1/realtime/01J?token=[redacted]");
  }
}
