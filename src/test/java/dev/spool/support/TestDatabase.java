package dev.spool.support;

import java.net.URI;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL every integration test talks to: the one named by {@code TEST_DATABASE_URL} (a
 * JDBC URL; {@code TEST_DATABASE_USER} / {@code TEST_DATABASE_PASSWORD} optional, defaulting to
 * postgres), or else a Testcontainers PostgreSQL started once per JVM.
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

  private static TestDatabase create() {
    String url = System.getenv("TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      return new TestDatabase(
          url, envOr("TEST_DATABASE_USER", "postgres"), envOr("TEST_DATABASE_PASSWORD", ""));
    }
    PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
    container.start();
    return new TestDatabase(
        container.getJdbcUrl(), container.getUsername(), container.getPassword());
  }

  /** Host and port of the database, for tests that need to reach it at the TCP level. */
  public URI hostAndPort() {
    return URI.create(url.substring("jdbc:".length()));
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
