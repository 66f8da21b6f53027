package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

/** The embedded PostgreSQL that runs Spool when no database is configured. */
class EmbeddedPostgresStarterIntegrationTests {

  @TempDir Path dir;

  @Test
  void withoutADatasourceUrlItStartsPointsTheDatasourceAtItAndStopsWithTheContext()
      throws Exception {
    MockEnvironment environment =
        new MockEnvironment().withProperty("spool.embedded.data-dir", dir.toString());
    DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
    EmbeddedPostgresStarter starter = new EmbeddedPostgresStarter();
    starter.setEnvironment(environment);

    starter.postProcessBeanFactory(beans);

    String url = environment.getProperty("spring.datasource.url");
    assertThat(url).startsWith("jdbc:postgresql://localhost:").endsWith("/spool");
    assertThat(environment.getProperty("spring.datasource.username")).isEqualTo("postgres");
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      assertThat(c.isValid(5)).isTrue();
    }
    assertThat(dir.resolve("pg17").resolve("PG_VERSION")).exists();
    assertThat(dir.resolve("postgres.log")).exists();

    beans.destroySingletons();

    assertThat(dir.resolve("pg17").resolve("postmaster.pid")).doesNotExist();
  }

  @Test
  void withADatasourceUrlNothingEmbeddedStarts() {
    MockEnvironment environment =
        new MockEnvironment()
            .withProperty("spring.datasource.url", "jdbc:postgresql://db.example:5432/spool")
            .withProperty("spool.embedded.data-dir", dir.toString());
    EmbeddedPostgresStarter starter = new EmbeddedPostgresStarter();
    starter.setEnvironment(environment);

    starter.postProcessBeanFactory(new DefaultListableBeanFactory());

    assertThat(environment.getProperty("spring.datasource.url"))
        .isEqualTo("jdbc:postgresql://db.example:5432/spool");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void theDataSurvivesARestart() throws Exception {
    try (EmbeddedPostgres first = EmbeddedPostgresStarter.start(dir);
        Connection c = DriverManager.getConnection(url(first), "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v text)");
      s.execute("INSERT INTO kept VALUES ('still here')");
    }
    try (EmbeddedPostgres second = EmbeddedPostgresStarter.start(dir);
        Connection c = DriverManager.getConnection(url(second), "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
    assertThat(Files.readString(dir.resolve("postgres.log"))).isNotEmpty();
  }

  private static String url(EmbeddedPostgres postgres) {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/spool";
  }
}
