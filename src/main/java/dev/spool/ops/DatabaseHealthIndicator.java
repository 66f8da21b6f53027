package dev.spool.ops;

import dev.spool.web.DatabaseOutage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Readiness ({@code database}): the database answers and carries every migration this build ships.
 * DOWN while the database is unreachable, OUT_OF_SERVICE when migrations are run separately ({@code
 * spring.flyway.enabled=false}) and have not been applied yet — an instance must not take traffic
 * against a schema older than its code. Replaces Spring Boot's {@code db} indicator, which logs a
 * stack trace on every probe during an outage; this one logs the outage like the request path does
 * (one WARN per 10 s).
 */
@Component("databaseHealthIndicator")
class DatabaseHealthIndicator implements HealthIndicator {

  private static final Logger log = LoggerFactory.getLogger(DatabaseHealthIndicator.class);

  private static final Pattern VERSIONED = Pattern.compile("^V([0-9._]+)__.+\\.sql$");

  private static final String LATEST_APPLIED =
      """
      SELECT version FROM flyway_schema_history
      WHERE success AND version IS NOT NULL
      ORDER BY installed_rank DESC LIMIT 1
      """;

  private final JdbcClient jdbc;
  private final MigrationVersion expected;

  DatabaseHealthIndicator(
      JdbcClient jdbc,
      @Value("${spring.flyway.locations:classpath:db/migration}") List<String> locations) {
    this.jdbc = jdbc;
    this.expected = latestShipped(locations);
  }

  @Override
  public Health health() {
    Health.Builder builder = new Health.Builder();
    Optional<String> applied;
    try {
      applied = jdbc.sql(LATEST_APPLIED).query(String.class).optional();
    } catch (BadSqlGrammarException e) {
      // no history table yet: nothing was ever migrated
      applied = Optional.empty();
    } catch (RuntimeException e) {
      DatabaseOutage.report(log, e);
      return builder.down().withDetail("error", String.valueOf(e.getMessage())).build();
    }
    builder.withDetail("expected", expected.getVersion());
    builder.withDetail("applied", applied.orElse("none"));
    boolean current =
        applied.isPresent() && MigrationVersion.fromVersion(applied.get()).compareTo(expected) >= 0;
    if (current) {
      builder.up();
    } else {
      builder.outOfService().withDetail("reason", "migrations have not run");
    }
    return builder.build();
  }

  /** The highest {@code V<version>__*.sql} this build carries in its migration locations. */
  static MigrationVersion latestShipped(List<String> locations) {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    MigrationVersion latest = MigrationVersion.EMPTY;
    for (String location : locations) {
      if (!location.startsWith("classpath:")) {
        continue;
      }
      String pattern = "classpath*:" + location.substring("classpath:".length()) + "/**/*.sql";
      try {
        for (Resource r : resolver.getResources(pattern)) {
          Matcher m = VERSIONED.matcher(String.valueOf(r.getFilename()));
          if (m.matches()) {
            MigrationVersion v = MigrationVersion.fromVersion(m.group(1).replace('_', '.'));
            if (v.compareTo(latest) > 0) {
              latest = v;
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return latest;
  }
}
