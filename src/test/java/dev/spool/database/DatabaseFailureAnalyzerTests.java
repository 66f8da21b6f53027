package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

/**
 * The cases the integration tests cannot provoke on a machine without DNS or with trust
 * authentication, on the exception chains the driver produces for them.
 */
class DatabaseFailureAnalyzerTests {

  private final MockEnvironment environment =
      new MockEnvironment()
          .withProperty("spring.datasource.url", "jdbc:postgresql://db.example:5432/spool")
          .withProperty("spring.datasource.username", "spool");

  private final DatabaseFailureAnalyzer analyzer = new DatabaseFailureAnalyzer(environment);

  @Test
  void anUnknownHostIsNamedAsSuch() {
    PSQLException driver =
        new PSQLException(
            "The connection attempt failed.",
            PSQLState.CONNECTION_UNABLE_TO_CONNECT,
            new UnknownHostException("db.example"));

    FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("flyway", driver));

    assertThat(analysis.getDescription())
        .isEqualTo(
            "Spool cannot use the database jdbc:postgresql://db.example:5432/spool as user"
                + " 'spool': the host name is unknown (db.example).");
    assertThat(analysis.getAction()).contains("SPRING_DATASOURCE_URL");
  }

  @Test
  void aRejectedPasswordIsNamedAsSuch() {
    PSQLException driver =
        new PSQLException(
            "FATAL: password authentication failed for user \"spool\"", PSQLState.INVALID_PASSWORD);

    FailureAnalysis analysis = analyzer.analyze(new IllegalStateException("pool", driver));

    assertThat(analysis.getDescription()).contains("the password was rejected");
  }

  @Test
  void anEmbeddedPostgresThatWontStartNamesItsDirectory() {
    var failure =
        new EmbeddedPostgresStarter.EmbeddedPostgresException(
            Path.of("/data/spool"), new IllegalStateException("could not lock /data/spool"));

    FailureAnalysis analysis = analyzer.analyze(failure);

    assertThat(analysis.getDescription())
        .startsWith("Spool could not start its embedded PostgreSQL in /data/spool");
    assertThat(analysis.getAction()).contains("SPOOL_EMBEDDED_DATA_DIR");
  }

  @Test
  void otherFailuresAreLeftToSpringBoot() {
    assertThat(analyzer.analyze(new IllegalStateException("something else"))).isNull();
  }

  @Test
  void passwordsNeverAppearInShownUrls() {
    assertThat(JdbcUrls.withoutPassword("jdbc:postgresql://h/db?user=a&password=secret&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
    assertThat(JdbcUrls.withoutPassword("jdbc:postgresql://a:secret@h/db"))
        .isEqualTo("jdbc:postgresql://a:***@h/db");
  }
}
