package dev.spool.database;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps statements routable on a Citus cluster ({@code SPOOL_DISTRIBUTED=citus}, docs/scaling.md),
 * where a {@code FOR UPDATE SKIP LOCKED} must name one space (one shard). The statements of the
 * maintenance loops take an optional {@code :space}: on one PostgreSQL they run once for every
 * space ({@code :space} null); on Citus once per space, each routed to the worker that holds it.
 */
@Component
public class SpaceRouting {

  static final String SPACE_OF_JOB = "SELECT space_id FROM jobs WHERE id = :id";

  private final JdbcClient jdbc;
  private final boolean citus;

  public SpaceRouting(JdbcClient jdbc, DistributedProperties properties) {
    this.jdbc = jdbc;
    this.citus = properties.citus();
  }

  /** Whether the tables are distributed by space. */
  public boolean distributed() {
    return citus;
  }

  /**
   * Runs one turn of a loop: with {@code null} (all spaces in one statement) on one PostgreSQL; on
   * Citus once for each space {@code candidates} returns (a lock-free read over every shard, {@code
   * SELECT DISTINCT space_id … WHERE <there is work>}), each run routed to one worker. True when
   * any run asks for another turn soon (a full batch).
   */
  public boolean eachSpace(Supplier<List<String>> candidates, Predicate<String> turn) {
    if (!citus) {
      return turn.test(null);
    }
    boolean more = false;
    for (String space : candidates.get()) {
      more |= turn.test(space);
    }
    return more;
  }

  /** {@link #eachSpace(Supplier, Predicate)} for a candidates query without parameters. */
  public boolean eachSpace(String candidates, Predicate<String> turn) {
    return eachSpace(() -> jdbc.sql(candidates).query(String.class).list(), turn);
  }

  /**
   * The space a call by the admin key (which has none) should be routed to: on Citus the job's
   * space, looked up first (a read over every shard, no lock); on one PostgreSQL {@code null}, the
   * statements' "any space".
   */
  public Optional<String> spaceForAdmin(String jobId) {
    if (!citus) {
      return Optional.empty();
    }
    return jdbc.sql(SPACE_OF_JOB).param("id", jobId).query(String.class).optional();
  }

  /** The caller's space, or for the admin key ({@code callerSpace} null) the job's on Citus. */
  public String route(String jobId, String callerSpace) {
    return callerSpace != null ? callerSpace : spaceForAdmin(jobId).orElse(null);
  }
}
