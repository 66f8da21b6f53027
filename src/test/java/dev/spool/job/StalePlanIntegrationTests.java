package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.spool.database.SpaceRouting;
import dev.spool.support.IntegrationTest;
import dev.spool.support.QueryPlans;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The statements that lock rows and then change them find the locked rows by {@code ctid}, never by
 * a join the planner may turn into a scan of the whole space: the steady-load benchmark once
 * collapsed to 150 jobs/s because, with statistics taken while the space was small, the claim
 * joined its 50 locked rows to every claimable row of the space (22,835 of them) through {@code
 * jobs_claimable_by_name}. Here the statistics are taken while the space is small, then it grows
 * past them, and the plan of each statement must scan {@code jobs} twice only: once to pick and
 * lock (by an index), once by TID for the change.
 */
class StalePlanIntegrationTests extends IntegrationTest {

  @Autowired SpaceRouting routing;

  private TestSpace space;

  @BeforeEach
  void staleStatisticsThenABacklog() {
    assumeFalse(routing.distributed(), "Citus plans the statements on its workers");
    space = api.newSpace();
    jobs.in(space).insert(3);
    jdbc.sql("ANALYZE jobs").update();
    // the space grows far past what the statistics say, in every state the statements pick from
    // (not yet due, so that the background loops leave the rows alone: only the plans matter here)
    Instant later = Instant.now().plus(Duration.ofHours(1));
    jobs.in(space).insert(6000);
    jobs.in(space).status(JobStatus.SCHEDULED).availableAt(later).insert(300);
    jobs.in(space).status(JobStatus.DELIVERED).deadlineAt(later).insert(300);
    jobs.in(space).status(JobStatus.RUNNING).deadlineAt(later).insert(300);
    jobs.in(space).status(JobStatus.COMPLETED).insert(300);
  }

  /** Other tests age every terminal job of the database: they should not meet these thousands. */
  @AfterEach
  void dropTheBacklog() {
    if (space != null) {
      jdbc.sql("DELETE FROM jobs WHERE space_id = :s").param("s", space.id()).update();
      jdbc.sql("ANALYZE jobs").update(); // later tests plan with statistics without the backlog
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CLAIM_ANY",
        "CLAIM_NAMED_ACKED",
        "PROMOTE_DUE",
        "RETURN_UNACKED",
        "FAIL_EXPIRED_RUNNING",
        "DELETE_EXPIRED",
        "FAIL_IF_IN_FLIGHT",
        "FAIL_MANY"
      })
  void theChangeFindsTheLockedRowsByTidWhateverTheStatistics(String statement) {
    String running =
        jdbc.sql("SELECT id FROM jobs WHERE space_id = :s AND status = 'running' LIMIT 1")
            .param("s", space.id())
            .query(String.class)
            .single();
    Map<String, Object> params = new HashMap<>();
    params.put("now", null);
    params.put("space", space.id());
    params.put("count", 50);
    params.put("batch", 100);
    params.put("names", "[\"job\"]");
    params.put("deliveries", "[]");
    params.put("deferFlush", false);
    params.put("retentionSeconds", 86400);
    params.put("id", running);
    params.put("retry", true);
    params.put("error", "\"boom\"");
    params.put("lastError", "boom");
    params.put("delivery", null);
    params.put("ops", "[{\"id\":\"" + running + "\",\"retry\":true,\"error\":\"\\\"boom\\\"\"}]");

    QueryPlans.Scans plan = QueryPlans.scansOf(jdbc, sql(statement), params, "jobs");

    assertThat(plan.scans())
        .as("scans of jobs in the plan of %s: %s", statement, plan.json())
        .hasSize(2)
        .contains("Tid Scan")
        .filteredOn(s -> !s.equals("Tid Scan"))
        .hasSize(1);
  }

  private static String sql(String statement) {
    return switch (statement) {
      // as one PostgreSQL runs them: one autocommit statement deferring its own flush
      case "CLAIM_ANY" -> ClaimSql.claimAvailable(false, false, true);
      case "CLAIM_NAMED_ACKED" -> ClaimSql.claimAvailable(true, true, true);
      case "PROMOTE_DUE" -> MaintenanceSql.PROMOTE_DUE;
      case "RETURN_UNACKED" -> MaintenanceSql.RETURN_UNACKED;
      case "FAIL_EXPIRED_RUNNING" -> MaintenanceSql.FAIL_EXPIRED_RUNNING;
      case "DELETE_EXPIRED" -> MaintenanceSql.DELETE_EXPIRED;
      case "FAIL_IF_IN_FLIGHT" -> TransitionSql.FAIL_IF_IN_FLIGHT;
      case "FAIL_MANY" -> TransitionSql.FAIL_MANY;
      default -> throw new IllegalArgumentException(statement);
    };
  }
}
