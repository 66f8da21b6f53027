package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestDatabase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPOOL_DISTRIBUTED=citus (TEST_CITUS=1 only): a space's job, its events and its logs live on one
 * worker, and the spaces are spread over the workers.
 */
class CitusPlacementIntegrationTests extends IntegrationTest {

  private static final String NODE_OF =
      """
      SELECT s.nodename || ':' || s.nodeport
        FROM citus_shards s
       WHERE s.table_name = CAST(:table AS regclass)
         AND s.shardid = get_shard_id_for_distribution_column(CAST(:table AS regclass), :space)
      """;

  @BeforeEach
  void onlyOnCitus() {
    Assumptions.assumeTrue(TestDatabase.citus(), "TEST_CITUS=1 runs this on a Citus cluster");
  }

  @Test
  void pooledConnectionsReadEveryShardThroughOneConnectionPerWorker() {
    assertThat(jdbc.sql("SHOW citus.max_adaptive_executor_pool_size").query(String.class).single())
        .isEqualTo("1");
  }

  @Test
  void jobsOfDifferentSpacesLandOnDifferentWorkers() {
    Set<String> nodes = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      TestApi.TestSpace space = api.newSpace();
      String job = api.createJob(space, "placed");
      assertThat(
              jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :space AND id = :id")
                  .param("space", space.id())
                  .param("id", job)
                  .query(Long.class)
                  .single())
          .isEqualTo(1);
      nodes.add(node("jobs", space.id()));
    }
    List<String> workers =
        jdbc.sql(
                "SELECT nodename || ':' || nodeport FROM pg_dist_node"
                    + " WHERE groupid <> 0 AND isactive ORDER BY nodeport")
            .query(String.class)
            .list();
    assertThat(workers).hasSizeGreaterThanOrEqualTo(2);
    assertThat(nodes).as("the workers that hold the 12 spaces' jobs").hasSizeGreaterThan(1);
    assertThat(workers).containsAll(nodes);
  }

  @Test
  void aSpacesTablesAreCoLocated() {
    TestApi.TestSpace space = api.newSpace();
    api.createJob(space, "together");
    List<String> tables =
        List.of(
            "jobs",
            "job_events",
            "job_logs",
            "callback_deliveries",
            "callback_attempts",
            "space_notifications",
            "job_counts",
            "job_stats",
            "idempotency_keys");
    List<String> where = new ArrayList<>();
    for (String t : tables) {
      where.add(node(t, space.id()));
    }
    assertThat(new HashSet<>(where)).as("nodes of " + tables).hasSize(1);
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM pg_dist_partition"
                        + " WHERE logicalrelid IN (CAST('spaces' AS regclass),"
                        + " CAST('api_keys' AS regclass)) AND partmethod = 'n'")
                .query(Long.class)
                .single())
        .as("spaces and api_keys are reference tables")
        .isEqualTo(2);
  }

  private String node(String table, String space) {
    return jdbc.sql(NODE_OF)
        .param("table", table)
        .param("space", space)
        .query(String.class)
        .single();
  }
}
