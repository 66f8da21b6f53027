package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code DELETE /spaces/:id} against a create that has inserted its job but not yet committed: the
 * delete must wait for it and then refuse (the space has an active job), never cascade-delete a job
 * whose create answered 201.
 */
class SpaceDeletionRaceIntegrationTests extends IntegrationTest {

  @Test
  void aDeleteWaitsForACreateInFlightAndThenRefusesInsteadOfDeletingItsJob() throws Exception {
    TestSpace space = api.newSpace();
    List<String> created = new ArrayList<>();
    List<CompletableFuture<Response>> deletes = new ArrayList<>();
    new TransactionTemplate(transactionManager)
        .executeWithoutResult(
            tx -> {
              created.add(jobs.in(space).name("in-flight").insert());
              deletes.add(
                  CompletableFuture.supplyAsync(
                      () -> api.delete("/api/v1/spaces/" + space.id(), api.adminKey())));
              // the delete is waiting for this transaction's lock on the space row
              await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock() > 0);
            });

    Response r = deletes.get(0).get(30, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.body()).isEqualTo(409);
    assertThat(api.get("/api/v1/jobs/" + created.get(0), space.key()).status()).isEqualTo(200);
  }

  private long waitingOnALock() {
    return jdbc.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'")
        .query(Long.class)
        .single();
  }
}
