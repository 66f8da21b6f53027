package dev.spool.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * Starts an embedded PostgreSQL 17 when no database is configured ({@code spring.datasource.url}
 * unset), so that {@code ./mvnw spring-boot:run} works with only a JDK. The data directory ({@code
 * spool.embedded.data-dir}, default {@code ./spool-data}) survives restarts; the server stops with
 * the application context (and, failing that, with the JVM).
 *
 * <p>A bean factory post-processor rather than an environment post-processor: it runs once the
 * environment is final (tests add {@code spring.datasource.url} through {@code
 * DynamicPropertySource} only after environment post-processing), and before any bean that reads
 * the datasource settings is created.
 */
@Component
public class EmbeddedPostgresStarter
    implements BeanFactoryPostProcessor, EnvironmentAware, PriorityOrdered {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresStarter.class);

  static final String DATA_DIR_PROPERTY = "spool.embedded.data-dir";
  static final String DEFAULT_DATA_DIR = "./spool-data";
  static final String DATABASE = "spool";

  private ConfigurableEnvironment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = (ConfigurableEnvironment) environment;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    String url = environment.getProperty("spring.datasource.url");
    if (url != null && !url.isBlank()) {
      return;
    }
    Path dataDir =
        Path.of(environment.getProperty(DATA_DIR_PROPERTY, DEFAULT_DATA_DIR))
            .toAbsolutePath()
            .normalize();
    EmbeddedPostgres postgres = start(dataDir);
    ((DefaultSingletonBeanRegistry) beanFactory)
        .registerDisposableBean("embeddedPostgres", postgres::close);
    String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "spoolEmbeddedPostgres",
                Map.of(
                    "spring.datasource.url", jdbcUrl,
                    "spring.datasource.username", "postgres",
                    "spring.datasource.password", "")));
    log.warn(banner(dataDir, postgres.getPort()));
  }

  /**
   * Starts (creating on first use) the cluster in {@code dataDir/pg17} and its {@code spool}
   * database; the server's own log goes to {@code dataDir/postgres.log}, not to Spool's log. The
   * cluster lives in a directory named after the major version, so that a later Spool with another
   * PostgreSQL never opens it with the wrong binaries.
   */
  static EmbeddedPostgres start(Path dataDir) {
    EmbeddedPostgres postgres;
    try {
      Path cluster = dataDir.resolve("pg17");
      Files.createDirectories(cluster);
      File serverLog = dataDir.resolve("postgres.log").toFile();
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              // keep the data: this is the user's database, not a test fixture
              .setCleanDataDirectory(false)
              // stopped by the application context, after everything that uses it (a JVM hook
              // of zonky's would stop it in parallel with the graceful shutdown)
              .setRegisterShutdownHook(false)
              .setServerConfig("listen_addresses", "localhost")
              // zonky tunes for throw-away test databases (-F, synchronous_commit=off); this one
              // is kept, so it must survive a crash: a later -c option wins over -F
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(serverLog))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(serverLog))
              .start();
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedPostgresException(dataDir, e);
    }
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (SQLException e) {
      closeQuietly(postgres);
      throw new EmbeddedPostgresException(dataDir, e);
    }
    return postgres;
  }

  static String banner(Path dataDir, int port) {
    return String.join(
        System.lineSeparator(),
        "",
        "=== Spool: embedded PostgreSQL ===",
        "No database is configured (SPRING_DATASOURCE_URL is not set), so Spool started its own"
            + " PostgreSQL 17.",
        "Data: "
            + dataDir
            + " (kept across restarts; SPOOL_EMBEDDED_DATA_DIR moves it;"
            + " server log in postgres.log there)",
        "Listening on localhost:" + port + " (user postgres, database " + DATABASE + ")",
        "This is for trying Spool and for development. For production, point Spool at a"
            + " PostgreSQL of your own:",
        "set SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD.",
        "");
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing the embedded PostgreSQL failed", e);
    }
  }

  /** The embedded PostgreSQL could not start; explained by {@link DatabaseFailureAnalyzer}. */
  public static class EmbeddedPostgresException extends RuntimeException {
    private final Path dataDir;

    EmbeddedPostgresException(Path dataDir, Throwable cause) {
      super(
          "the embedded PostgreSQL in " + dataDir + " did not start: " + cause.getMessage(), cause);
      this.dataDir = dataDir;
    }

    public Path dataDir() {
      return dataDir;
    }
  }
}
