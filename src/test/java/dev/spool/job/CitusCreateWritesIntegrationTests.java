package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.common.Ids;
import dev.spool.support.CitusTransactions;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestDatabase;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SPOOL_DISTRIBUTED=citus (TEST_CITUS=1 only): a create of one space writes on the one worker that
 * holds the space (its jobs, then its events from {@link JobStatements}), never on the other.
 *
 * <p>A create's job insert reads its rows from a JSON record set, which Citus plans as an insert
 * through the coordinator and commits with two-phase commit even on one worker, so the create shows
 * up in the coordinator's {@code pg_dist_transaction} (see {@code
 * CitusOnePhaseCommitIntegrationTests}): the rows of its distributed transaction must name the
 * space's worker only.
 */
class CitusCreateWritesIntegrationTests extends IntegrationTest {

  @Autowired JobInserts inserts;
  @Autowired DataSource dataSource;

  @BeforeEach
  void onlyOnCitus() {
    Assumptions.assumeTrue(TestDatabase.citus(), "TEST_CITUS=1 runs this on a Citus cluster");
  }

  @Test
  void aCreateWritesOnItsSpacesWorkerOnly() {
    TestApi.TestSpace space = api.newSpace();
    List<NewJob> jobs =
        List.of(
            new NewJob(Ids.next(), "now", null, 3, 60, 0, null, null, null),
            new NewJob(
                Ids.next(), "later", null, 3, 60, 0, Instant.now().plusSeconds(3600), null, null));
    CitusTransactions.Written<Void> written =
        CitusTransactions.inTransaction(
            jdbc,
            dataSource,
            () -> {
              inserts.insert(inserts.rows(space.id(), jobs), space.id());
              return null;
            });

    List<Integer> groups = CitusTransactions.preparedOn(jdbc, written).stream().distinct().toList();
    Integer spaceGroup =
        jdbc.sql(
                "SELECT n.groupid FROM citus_shards s JOIN pg_dist_node n"
                    + " ON n.nodename = s.nodename AND n.nodeport = s.nodeport"
                    + " WHERE s.table_name = CAST('jobs' AS regclass)"
                    + " AND s.shardid = get_shard_id_for_distribution_column('jobs', :space)")
            .param("space", space.id())
            .query(Integer.class)
            .single();
    assertThat(groups).as("the nodes the create prepared on").containsExactly(spaceGroup);

    assertThat(
            jdbc.sql(
                    "SELECT type FROM job_events WHERE space_id = :space AND tx = :tx"
                        + " ORDER BY job_id")
                .param("space", space.id())
                .param("tx", written.tx())
                .query(String.class)
                .list())
        .as("the events, stamped with the coordinator's transaction id")
        .containsExactly("created", "scheduled");
    assertThat(
            jdbc.sql("SELECT status FROM jobs WHERE space_id = :space ORDER BY id")
                .param("space", space.id())
                .query(String.class)
                .list())
        .containsExactly("pending", "scheduled");
  }
}
