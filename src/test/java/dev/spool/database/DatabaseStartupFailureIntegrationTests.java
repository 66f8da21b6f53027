package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spool.SpoolApplication;
import dev.spool.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Starts the whole application against databases it cannot reach or use and reads what it prints:
 * one analysis naming the URL tried (never the password), what failed and what to set.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseStartupFailureIntegrationTests {

  private final TestDatabase db = TestDatabase.get();

  @Test
  void aRefusedConnectionNamesTheUrlAndTheSettingsButNotThePassword(CapturedOutput output) {
    String analysis =
        startFailing("jdbc:postgresql://127.0.0.1:1/spool", "spool", "hunter2", output);

    assertThat(analysis)
        .contains(
            "Spool cannot use the database jdbc:postgresql://127.0.0.1:1/spool as user 'spool':"
                + " nothing accepts connections there")
        .contains("Set SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and")
        .contains("leave SPRING_DATASOURCE_URL unset to run on an embedded PostgreSQL")
        .doesNotContain("hunter2");
  }

  @Test
  void aPasswordInTheUrlIsMaskedInTheAnalysis(CapturedOutput output) {
    String analysis =
        startFailing(
            "jdbc:postgresql://127.0.0.1:1/spool?user=spool&password=hunter2", "", "", output);

    assertThat(analysis)
        .contains("jdbc:postgresql://127.0.0.1:1/spool?user=spool&password=***")
        .doesNotContain("hunter2");
  }

  @Test
  void aMissingDatabaseIsNamedAsSuch(CapturedOutput output) {
    String analysis = startFailing(urlOf("spool_no_such_database"), db.user, db.password, output);

    assertThat(analysis).contains("the database does not exist").contains("spool_no_such_database");
  }

  @Test
  void aMissingRoleIsReportedAsARejectedLogin(CapturedOutput output) {
    String analysis = startFailing(urlOf("postgres"), "spool_no_such_role", "x", output);

    // trust authentication names the missing role; password authentication rejects the password
    assertThat(analysis)
        .containsAnyOf("the login was rejected", "the password was rejected")
        .contains("as user 'spool_no_such_role'");
  }

  @Test
  void aWrongPasswordIsNamedAsSuch(CapturedOutput output) throws SQLException {
    assumeTrue(
        serverChecksPasswords(),
        "this PostgreSQL trusts every local login, so no password can be wrong here");

    String analysis = startFailing(db.url, db.user, db.password + "-wrong", output);

    assertThat(analysis).contains("the password was rejected");
  }

  @Test
  void aUserWhoMayNotCreateTablesIsToldSo(CapturedOutput output) throws SQLException {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    String role = "spool_no_create_" + suffix;
    String database = "spool_no_create_" + suffix;
    try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
      s.execute("CREATE DATABASE " + database);
    }
    try (Connection c = DriverManager.getConnection(urlOf(database), db.user, db.password);
        Statement s = c.createStatement()) {
      // PostgreSQL 15 and later already deny it; older servers grant it to everyone
      s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    }
    try {
      String analysis = startFailing(urlOf(database), role, "pw", output);

      assertThat(analysis).contains("the user may not create Spool's tables");
    } finally {
      try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        s.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }

  /** Runs the application, expects it to fail, and returns the failure analysis it printed. */
  private static String startFailing(
      String url, String user, String password, CapturedOutput output) {
    assertThatThrownBy(
            () ->
                // command-line arguments, as an operator would pass them: they override
                // application.yml (builder properties would only be defaults)
                new SpringApplicationBuilder(SpoolApplication.class)
                    .run(
                        "--spring.datasource.url=" + url,
                        "--spring.datasource.username=" + user,
                        "--spring.datasource.password=" + password,
                        "--server.port=0",
                        "--management.server.port=0"))
        .isNotNull();
    String all = output.getAll();
    int start = all.lastIndexOf("APPLICATION FAILED TO START");
    assertThat(start).as("an analysis was printed").isNotNegative();
    return all.substring(start);
  }

  private String urlOf(String database) {
    return db.url.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
  }

  private boolean serverChecksPasswords() throws SQLException {
    try (Connection ignored =
        DriverManager.getConnection(db.url, db.user, db.password + "-surely-wrong")) {
      return false;
    } catch (SQLException e) {
      if ("28P01".equals(e.getSQLState())) {
        return true;
      }
      throw e;
    }
  }
}
