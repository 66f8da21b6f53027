package dev.spool.database;

import dev.spool.database.EmbeddedPostgresStarter.EmbeddedPostgresException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;

/**
 * Turns a startup failure caused by the database (unreachable, unknown host, rejected login,
 * missing role or database, no right to create tables, embedded PostgreSQL that won't start) into
 * one short explanation — what was tried, what failed, what to set — instead of the nested stack
 * traces of the pool, Flyway and the bean factory. Registered in META-INF/spring.factories.
 */
public class DatabaseFailureAnalyzer implements FailureAnalyzer {

  private static final String SETTINGS =
      "SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD";

  private final Environment environment;

  public DatabaseFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    EmbeddedPostgresException embedded = find(failure, EmbeddedPostgresException.class);
    if (embedded != null) {
      return new FailureAnalysis(
          "Spool could not start its embedded PostgreSQL in "
              + embedded.dataDir()
              + ": "
              + rootMessage(embedded),
          "Check that the directory is writable and not used by another running Spool, set"
              + " SPOOL_EMBEDDED_DATA_DIR to another directory, or set "
              + SETTINGS
              + " to use a PostgreSQL of your own.",
          failure);
    }
    SQLException sql = find(failure, SQLException.class);
    if (sql == null) {
      return null;
    }
    String problem = problem(failure, sql);
    if (problem == null) {
      return null;
    }
    String url = JdbcUrls.withoutPassword(environment.getProperty("spring.datasource.url", ""));
    String user = environment.getProperty("spring.datasource.username", "");
    return new FailureAnalysis(
        "Spool cannot use the database " + url + " as user '" + user + "': " + problem + ".",
        "Set "
            + SETTINGS
            + " to a PostgreSQL database Spool may log in to and create tables in (it migrates"
            + " its schema at startup), or leave SPRING_DATASOURCE_URL unset to run on an"
            + " embedded PostgreSQL. See docs/configuration.md.",
        failure);
  }

  /** What failed, in words, or null when the failure is not one this analyzer knows. */
  private static String problem(Throwable failure, SQLException sql) {
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String message = firstLine(sql.getMessage());
    if (find(failure, UnknownHostException.class) != null) {
      return "the host name is unknown (" + rootMessage(failure) + ")";
    }
    if (find(failure, ConnectException.class) != null) {
      return "nothing accepts connections there (" + message + ")";
    }
    switch (state) {
      case "28P01":
        return "the password was rejected (" + message + ")";
      case "28000":
        return "the login was rejected (" + message + ")";
      case "3D000":
        return "the database does not exist (" + message + ")";
      case "42501":
        return "the user may not create Spool's tables (" + message + ")";
      default:
        if (state.startsWith("08")) {
          return "the connection failed (" + message + ")";
        }
        return null;
    }
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t instanceof SQLException s && s.getNextException() != null) {
        T next = find(s.getNextException(), type);
        if (next != null) {
          return next;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return firstLine(root.getMessage() == null ? root.toString() : root.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int eol = message.indexOf('\n');
    return (eol < 0 ? message : message.substring(0, eol)).strip();
  }
}
