package dev.spool.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The Citus step of {@code SPOOL_DISTRIBUTED=citus} (issue 17): after Flyway has applied the shared
 * migrations, on the coordinator, distributes the tables by space ({@code db/citus/distribute.sql})
 * unless they already are. Every migration stays the same for both modes; a later migration runs on
 * the distributed tables, where Citus propagates its DDL to the shards. Does nothing in the default
 * mode.
 */
@Component
class CitusSchema implements Callback {

  private static final Logger log = LoggerFactory.getLogger(CitusSchema.class);

  static final String SCRIPT = "/db/citus/distribute.sql";

  private final boolean citus;

  CitusSchema(DistributedProperties properties) {
    this.citus = properties.citus();
  }

  @Override
  public boolean supports(Event event, Context context) {
    return citus && event == Event.AFTER_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    try {
      distribute(context.getConnection());
    } catch (SQLException e) {
      throw new IllegalStateException("SPOOL_DISTRIBUTED=citus: distributing the tables failed", e);
    }
  }

  @Override
  public String getCallbackName() {
    return "spool-citus";
  }

  static void distribute(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (!exists(st, "SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
        throw new IllegalStateException(
            "SPOOL_DISTRIBUTED=citus, but the database has no citus extension: point"
                + " SPRING_DATASOURCE_URL at a Citus coordinator (docs/scaling.md)");
      }
      if (exists(st, "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'jobs'::regclass")) {
        return;
      }
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        st.execute(script());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
      log.info("Distributed the job tables by space over the Citus cluster");
    }
  }

  private static boolean exists(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next();
    }
  }

  private static String script() {
    try (InputStream in = CitusSchema.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
