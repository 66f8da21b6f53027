package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.TestDatabase;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The readiness check against a schema of its own (no application context): not ready before
 * migrations ran, ready once the latest shipped migration is recorded.
 */
class DatabaseHealthIndicatorIntegrationTests {

  private final String schema = "health_check_" + System.nanoTime();
  private JdbcClient admin;
  private JdbcClient inSchema;

  @BeforeEach
  void emptySchema() {
    TestDatabase db = TestDatabase.get();
    admin = JdbcClient.create(new DriverManagerDataSource(db.url, db.user, db.password));
    admin.sql("CREATE SCHEMA " + schema).update();
    String url = db.url + (db.url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    inSchema = JdbcClient.create(new DriverManagerDataSource(url, db.user, db.password));
  }

  @AfterEach
  void dropSchema() {
    admin.sql("DROP SCHEMA " + schema + " CASCADE").update();
  }

  private DatabaseHealthIndicator indicator() {
    return new DatabaseHealthIndicator(inSchema, List.of("classpath:db/migration"));
  }

  @Test
  void aDatabaseThatWasNeverMigratedIsNotReady() {
    var health = indicator().health();
    assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    assertThat(health.getDetails()).containsEntry("applied", "none");
  }

  @Test
  void aSchemaBehindTheBuildIsNotReadyAndOneAtOrAheadOfItIs() {
    inSchema
        .sql(
            """
            CREATE TABLE flyway_schema_history (
                installed_rank int PRIMARY KEY, version text, success boolean NOT NULL)
            """)
        .update();
    MigrationVersion latest =
        DatabaseHealthIndicator.latestShipped(List.of("classpath:db/migration"));
    inSchema.sql("INSERT INTO flyway_schema_history VALUES (1, '0', true)").update();
    assertThat(indicator().health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

    inSchema
        .sql("INSERT INTO flyway_schema_history VALUES (2, :v, false)")
        .param("v", latest.getVersion())
        .update();
    assertThat(indicator().health().getStatus())
        .as("a failed migration does not count")
        .isEqualTo(Status.OUT_OF_SERVICE);

    inSchema
        .sql("INSERT INTO flyway_schema_history VALUES (3, :v, true)")
        .param("v", latest.getVersion())
        .update();
    assertThat(indicator().health().getStatus()).isEqualTo(Status.UP);

    inSchema.sql("INSERT INTO flyway_schema_history VALUES (4, '9999', true)").update();
    assertThat(indicator().health().getStatus())
        .as("a newer replica migrated further; this one keeps serving")
        .isEqualTo(Status.UP);
  }

  @Test
  void anUnreachableDatabaseIsDown() {
    JdbcClient nowhere =
        JdbcClient.create(
            new DriverManagerDataSource(
                "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1", "x", "y"));
    var health = new DatabaseHealthIndicator(nowhere, List.of("classpath:db/migration")).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
  }
}
