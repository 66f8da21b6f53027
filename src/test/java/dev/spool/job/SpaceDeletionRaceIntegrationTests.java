package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.common.Ids;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code DELETE /spaces/:id} against the create statement ({@link JobInserts#INSERT_BATCH}) in
 * flight, both ways round. There is no foreign key from jobs to spaces on one PostgreSQL (V77): the
 * create's statement locks its space as that key's check did, and these tests hold each side's
 * transaction open at the point where the other must wait for it.
 */
class SpaceDeletionRaceIntegrationTests extends IntegrationTest {

  @Autowired JobInserts inserts;

  @Test
  void aDeleteWaitsForACreateInFlightAndThenRefusesInsteadOfDeletingItsJob() throws Exception {
    TestSpace space = api.newSpace();
    NewJob job = job("in-flight");
    CompletableFuture<Response> delete =
        new TransactionTemplate(transactionManager)
            .execute(
                tx -> {
                  inserts.insert(inserts.rows(space.id(), List.of(job)), space.id());
                  CompletableFuture<Response> d =
                      CompletableFuture.supplyAsync(
                          () -> api.delete("/api/v1/spaces/" + space.id(), api.adminKey()));
                  // the delete is waiting for this transaction's lock on the space row
                  await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock() > 0);
                  return d;
                });

    Response r = delete.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.body()).isEqualTo(409);
    assertThat(api.get("/api/v1/jobs/" + job.id(), space.key()).status()).isEqualTo(200);
  }

  @Test
  void aCreateThatComesAfterTheDeleteWaitsForItAndFailsWithoutLeavingAJob() throws Exception {
    TestSpace space = api.newSpace();
    NewJob job = job("too-late");
    CompletableFuture<Void> create =
        new TransactionTemplate(transactionManager)
            .execute(
                tx -> {
                  // what Spaces.delete does: the space row locked, its jobs and then it deleted
                  jdbc.sql("SELECT id FROM spaces WHERE id = :s FOR UPDATE")
                      .param("s", space.id())
                      .query(String.class)
                      .single();
                  jdbc.sql("DELETE FROM spaces WHERE id = :s").param("s", space.id()).update();
                  CompletableFuture<Void> c =
                      CompletableFuture.runAsync(
                          () -> inserts.insert(inserts.rows(space.id(), List.of(job)), space.id()));
                  await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock() > 0);
                  return c;
                });

    Throwable failure = create.handle((ok, e) -> e).get(30, TimeUnit.SECONDS);
    assertThat(failure)
        .as("the create failed as the foreign key's check did")
        .isNotNull()
        .hasCauseInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("jobs_space_id_fkey");
    long orphans =
        jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
            .param("s", space.id())
            .query(Long.class)
            .single();
    assertThat(orphans).isZero();
  }

  private static NewJob job(String name) {
    return new NewJob(Ids.next(), name, null, 3, 300, 0, null, null, null);
  }

  private long waitingOnALock() {
    return jdbc.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'")
        .query(Long.class)
        .single();
  }
}
