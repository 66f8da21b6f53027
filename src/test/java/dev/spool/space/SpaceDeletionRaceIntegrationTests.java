package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.common.Ids;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /spaces/:id} against a create that has inserted its job but not yet committed: the
 * delete must wait for it and then refuse (the space has an active job), never cascade-delete a job
 * whose create answered 201.
 */
class SpaceDeletionRaceIntegrationTests extends IntegrationTest {

  @Test
  void aDeleteWaitsForACreateInFlightAndThenRefusesInsteadOfDeletingItsJob() throws Exception {
    TestSpace space = api.newSpace();
    String jobId = Ids.next();
    TestDatabase db = TestDatabase.get();
    try (Connection create = DriverManager.getConnection(db.url, db.user, db.password)) {
      create.setAutoCommit(false);
      try (PreparedStatement insert =
          create.prepareStatement(
              "INSERT INTO jobs (id, space_id, name, status, max_retries, timeout_seconds,"
                  + " available_at) VALUES (?, ?, 'in-flight', 'pending', 3, 300, now())")) {
        insert.setString(1, jobId);
        insert.setString(2, space.id());
        insert.executeUpdate();
      }

      CompletableFuture<Response> delete =
          CompletableFuture.supplyAsync(
              () -> api.delete("/api/v1/spaces/" + space.id(), api.adminKey()));
      // the delete is waiting for the create's lock on the space row
      await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock() > 0);
      create.commit();

      Response r = delete.get(30, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.body()).isEqualTo(409);
    }
    assertThat(api.get("/api/v1/jobs/" + jobId, space.key()).status()).isEqualTo(200);
  }

  private long waitingOnALock() {
    return jdbc.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'")
        .query(Long.class)
        .single();
  }
}
