package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.spool.database.SpaceRouting;
import dev.spool.support.IntegrationTest;
import dev.spool.support.QueryPlans;
import dev.spool.support.TestApi.TestSpace;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The long polls' re-check probe finds "a job is available" through the claim index even when one
 * space's backlog dominates the table: costed by the average space, an {@code EXISTS} was planned
 * as a sequential scan that stops at the first match, and a space without available jobs has none,
 * so every probe read the whole table (every second while polls wait: most of PostgreSQL's time at
 * a trickle of jobs in the dispatch benchmark, after a bulk create had left 600,000 pending jobs).
 */
class WaitOutlookPlanIntegrationTests extends IntegrationTest {

  @Autowired SpaceRouting routing;

  private TestSpace busy;

  @AfterEach
  void dropTheBacklog() {
    if (busy != null) {
      jdbc.sql("DELETE FROM jobs WHERE space_id = :s").param("s", busy.id()).update();
      jdbc.sql("ANALYZE jobs").update(); // later tests plan with statistics without the backlog
    }
  }

  @Test
  void aProbeForAnIdleSpaceUsesTheClaimIndexWhileAnotherSpaceHasAHugeBacklog() {
    assumeFalse(routing.distributed(), "Citus plans the probe on its workers");
    busy = api.newSpace();
    TestSpace idle = api.newSpace();
    jobs.in(busy).insert(30_000);
    jdbc.sql("ANALYZE jobs").update();

    String probes = "[[0,\"" + idle.id() + "\",null],[1,\"" + idle.id() + "\",\"some-name\"]]";
    QueryPlans.Scans plan =
        QueryPlans.scansOf(jdbc, WaitOutlook.OUTLOOK, Map.of("probes", probes), "jobs");

    assertThat(plan.scans())
        .as("scans of jobs in the probe's plan: %s", plan.json())
        .isNotEmpty()
        .allMatch(s -> s.startsWith("Index"));
  }
}
