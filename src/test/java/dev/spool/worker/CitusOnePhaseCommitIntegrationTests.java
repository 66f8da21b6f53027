package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobView;
import dev.spool.support.CitusTransactions;
import dev.spool.support.CitusTransactions.Written;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SPOOL_DISTRIBUTED=citus (TEST_CITUS=1 only): a worker's claim, ack, complete, fail, kill,
 * progress, checkpoint, custom event and keepalive of one space write on the one worker that holds
 * the space and commit there in one phase, with their events stamped with the coordinator's
 * transaction id (the one the notification carries).
 *
 * <p>How it sees two-phase commit: {@link CitusTransactions}; a write that needed it leaves a row
 * under its transaction's name. A group over two spaces on two workers must leave one, which shows
 * that the look-up sees it.
 */
class CitusOnePhaseCommitIntegrationTests extends IntegrationTest {

  @Autowired Claims claims;
  @Autowired Transitions transitions;
  @Autowired WorkerEvents workerEvents;
  @Autowired DataSource dataSource;

  @BeforeEach
  void onlyOnCitus() {
    Assumptions.assumeTrue(TestDatabase.citus(), "TEST_CITUS=1 runs this on a Citus cluster");
  }

  private <T> Written<T> inTransaction(Supplier<T> write) {
    return CitusTransactions.inTransaction(jdbc, dataSource, write);
  }

  private long prepared(Written<?> write) {
    return CitusTransactions.preparedOn(jdbc, write).size();
  }

  private List<String> eventsOf(String space, String job, long tx) {
    return jdbc.sql(
            "SELECT type FROM job_events WHERE space_id = :space AND job_id = :job AND tx = :tx"
                + " ORDER BY id")
        .param("space", space)
        .param("job", job)
        .param("tx", tx)
        .query(String.class)
        .list();
  }

  @Test
  void claimAckAndCompleteOfOneSpaceCommitOnOneWorkerInOnePhase() {
    TestApi.TestSpace space = api.newSpace();
    List<String> ids = List.of(api.createJob(space, "one"), api.createJob(space, "one"));

    Written<List<Delivery>> claimed =
        inTransaction(() -> claims.claim(space.id(), List.of(), 2, false));
    assertThat(claimed.result()).extracting(Delivery::id).containsExactlyElementsOf(ids);
    assertThat(prepared(claimed)).as("prepared transactions of the claim").isZero();
    assertThat(eventsOf(space.id(), ids.get(0), claimed.tx())).containsExactly("delivered");

    List<Transitions.Op> acks =
        claimed.result().stream()
            .map(d -> new Transitions.Op("ack", d.id(), space.id(), d.deliveryId(), null))
            .toList();
    Written<List<JobView>> acked = inTransaction(() -> transitions.ackOrComplete(acks));
    assertThat(acked.result()).extracting(JobView::status).containsOnly("running");
    assertThat(prepared(acked)).as("prepared transactions of the acks").isZero();
    assertThat(eventsOf(space.id(), ids.get(1), acked.tx())).containsExactly("acked");

    List<Transitions.Op> completes =
        claimed.result().stream()
            .map(d -> new Transitions.Op("complete", d.id(), space.id(), d.deliveryId(), "[1]"))
            .toList();
    Written<List<JobView>> completed = inTransaction(() -> transitions.ackOrComplete(completes));
    assertThat(completed.result()).extracting(JobView::status).containsOnly("completed");
    assertThat(prepared(completed)).as("prepared transactions of the completes").isZero();
    assertThat(eventsOf(space.id(), ids.get(0), completed.tx())).containsExactly("completed");
    assertThat(
            jdbc.sql(
                    "SELECT data::text FROM job_events WHERE space_id = :space AND job_id = :job"
                        + " AND type = 'completed'")
                .param("space", space.id())
                .param("job", ids.get(0))
                .query(String.class)
                .single())
        .as("the event's data as the statement built it")
        .contains("\"result\"")
        .contains("[1]");

    String failing = api.createJob(space, "three");
    Delivery d = claims.claim(space.id(), List.of("three"), 1, false).get(0);
    Written<Optional<JobView>> failed =
        inTransaction(
            () ->
                transitions.fail(
                    failing,
                    new Transitions.Guard(space.id(), d.deliveryId()),
                    "\"boom\"",
                    "boom",
                    true));
    assertThat(failed.result()).map(JobView::status).contains("pending");
    assertThat(prepared(failed)).as("prepared transactions of the fail").isZero();
    assertThat(eventsOf(space.id(), failing, failed.tx())).containsExactly("retried");

    Written<Optional<JobView>> killed =
        inTransaction(
            () -> transitions.kill(failing, new Transitions.Guard(space.id(), null), "enough"));
    assertThat(killed.result()).map(JobView::status).contains("killed");
    assertThat(prepared(killed)).as("prepared transactions of the kill").isZero();
    assertThat(eventsOf(space.id(), failing, killed.tx())).containsExactly("killed");

    api.createJob(space, "two");
    Written<List<Delivery>> ackedOnPoll =
        inTransaction(() -> claims.claim(space.id(), List.of("two"), 1, true));
    assertThat(ackedOnPoll.result()).hasSize(1);
    assertThat(eventsOf(space.id(), ackedOnPoll.result().get(0).id(), ackedOnPoll.tx()))
        .containsExactly("delivered", "acked");
  }

  @Test
  void progressCheckpointAndCustomEventsCommitOnOneWorkerAndAnswerWithTheirEventsId() {
    TestApi.TestSpace space = api.newSpace();
    String id = api.createJob(space, "reporting");
    Delivery d = claims.claim(space.id(), List.of("reporting"), 1, true).get(0);
    WorkerEvents.Target target = new WorkerEvents.Target(id, d.deliveryId(), space.id());
    List<Written<Optional<WorkerEvents.Appended>>> appended =
        List.of(
            inTransaction(() -> workerEvents.progress(target, "{\"percent\":50}")),
            inTransaction(() -> workerEvents.checkpoint(target, "{\"cursor\":7}")),
            inTransaction(() -> workerEvents.custom(target, "my-step", "{\"n\":1}")),
            inTransaction(() -> workerEvents.keepalive(target)));
    List<String> types = List.of("progress", "checkpoint", "my-step", "keepalive");
    for (int i = 0; i < appended.size(); i++) {
      Written<Optional<WorkerEvents.Appended>> w = appended.get(i);
      assertThat(prepared(w)).as("prepared transactions of " + types.get(i)).isZero();
      long eventId = w.result().orElseThrow().eventId();
      assertThat(
              jdbc.sql(
                      "SELECT type FROM job_events WHERE space_id = :space AND job_id = :job"
                          + " AND id = :id AND tx = :tx")
                  .param("space", space.id())
                  .param("job", id)
                  .param("id", eventId)
                  .param("tx", w.tx())
                  .query(String.class)
                  .list())
          .as("the event the answer names, in the write's transaction")
          .containsExactly(types.get(i));
    }
  }

  @Test
  void aGroupOverSpacesOnTwoWorkersIsSeenToCommitInTwoPhases() {
    TestApi.TestSpace first = api.newSpace();
    TestApi.TestSpace other = null;
    for (int i = 0; i < 20 && other == null; i++) {
      TestApi.TestSpace candidate = api.newSpace();
      if (!node(candidate.id()).equals(node(first.id()))) {
        other = candidate;
      }
    }
    assertThat(other).as("a space on the other worker").isNotNull();
    List<Transitions.Op> acks = new ArrayList<>();
    for (TestApi.TestSpace space : List.of(first, other)) {
      api.createJob(space, "pair");
      Delivery d = claims.claim(space.id(), List.of(), 1, false).get(0);
      acks.add(new Transitions.Op("ack", d.id(), space.id(), d.deliveryId(), null));
    }
    Written<List<JobView>> acked = inTransaction(() -> transitions.ackOrComplete(acks));
    assertThat(acked.result()).hasSize(2);
    assertThat(prepared(acked))
        .as("a write on two workers is prepared on both")
        .isGreaterThanOrEqualTo(2);
  }

  private String node(String space) {
    return jdbc.sql(
            "SELECT s.nodeport FROM citus_shards s WHERE s.table_name = CAST('jobs' AS regclass)"
                + " AND s.shardid = get_shard_id_for_distribution_column('jobs', :space)")
        .param("space", space)
        .query(String.class)
        .single();
  }
}
