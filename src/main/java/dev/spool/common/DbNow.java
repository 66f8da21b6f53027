package dev.spool.common;

import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The time a statement compares with: {@link #SQL} reads the bound {@code :now} or, when it is
 * null, the database's own {@code now()}. With the system clock (production) {@code :now} is always
 * null, so every instance keeps deciding timeouts and due times by one clock, the database's; a
 * test clock binds its instant instead, so a test moves time rather than sleeping (as River's
 * {@code coalesce(sqlc.narg('now')::timestamptz, now())} and db-scheduler's settable clock do).
 */
@Component
public class DbNow {

  /**
   * The statement's now: the bound {@code :now}, else the transaction's {@code now()} ({@code
   * spool_now}, migration V72, is {@code coalesce(t, now())}: a function so that Citus accepts it
   * where it refuses a non-IMMUTABLE call inside COALESCE, docs/scaling.md).
   */
  public static final String SQL = "spool_now(CAST(:now AS timestamptz))";

  private final Clock clock;
  private final boolean system;

  public DbNow(Clock clock) {
    this.clock = clock;
    this.system = clock.equals(Clock.system(clock.getZone()));
  }

  /** The instant to bind as {@code :now}, or null to let the database use its own clock. */
  public Instant now() {
    return system ? null : clock.instant();
  }

  /** Binds {@code :now} on a statement that reads {@link #SQL}. */
  public JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec) {
    Instant now = now();
    return spec.param("now", now == null ? null : now.toString(), Types.VARCHAR);
  }
}
