package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The feed's one-statement fetch of committed transactions' events and count deltas. */
class FeedQueriesIntegrationTests extends IntegrationTest {

  @Autowired FeedQueries queries;
  @Autowired PlatformTransactionManager transactionManager;

  @Test
  void aFetchReturnsATransactionsEventsInTheAskedSpacesInOrderWithTheirNetCountChanges() {
    TestApi.TestSpace here = api.newSpace();
    TestApi.TestSpace there = api.newSpace();
    String a = api.createJob(here, "a");
    String b = api.createJob(there, "b");
    TestTransitions transitions = new TestTransitions(jdbc);
    new TransactionTemplate(transactionManager)
        .executeWithoutResult(
            status -> {
              transitions.start(a);
              transitions.progress(a, 10, "one");
              transitions.start(b);
            });
    long tx = lastTx(a);
    long earlier =
        jdbc.sql("SELECT tx FROM job_events WHERE job_id = :id ORDER BY id LIMIT 1")
            .param("id", a)
            .query(Long.class)
            .single();

    FeedQueries.Fetched got = queries.eventsOf(List.of(tx, earlier), List.of(here.id()));

    FeedQueries.TxEvents ofTx = got.of(tx);
    assertThat(ofTx.events())
        .extracting(StoredEvent::type)
        .containsExactly("delivered", "acked", "progress");
    assertThat(ofTx.events()).extracting(StoredEvent::jobId).containsOnly(a);
    assertThat(ofTx.events().get(2).data()).contains("\"one\"");
    assertThat(ofTx.events().get(0).jobName()).isEqualTo("a");
    // pending -> delivered -> running nets out to one job moved from pending to running
    assertThat(ofTx.deltas()).containsOnlyKeys(here.id());
    assertThat(ofTx.deltas().get(here.id())).isEqualTo(Map.of("pending", -1L, "running", 1L));
    assertThat(ofTx.deltasComplete()).isTrue();
    assertThat(got.of(earlier).events()).extracting(StoredEvent::type).containsExactly("created");
    assertThat(got.of(earlier).deltas().get(here.id())).isEqualTo(Map.of("pending", 1L));
  }

  @Test
  void countDeltasComeFromTheEventsThemselvesSoOldTransactionsStillCarryThem() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "old");
    long tx = lastTx(job);
    jdbc.sql("UPDATE job_events SET created_at = now() - interval '1 minute' WHERE tx = :tx")
        .param("tx", tx)
        .update();

    FeedQueries.TxEvents ofTx = queries.eventsOf(List.of(tx), List.of(space.id())).of(tx);

    assertThat(ofTx.events()).hasSize(1);
    assertThat(ofTx.deltas().get(space.id())).isEqualTo(Map.of("pending", 1L));
    assertThat(ofTx.deltasComplete()).isTrue();
  }

  private long lastTx(String jobId) {
    return jdbc.sql("SELECT tx FROM job_events WHERE job_id = :id ORDER BY id DESC LIMIT 1")
        .param("id", jobId)
        .query(Long.class)
        .single();
  }

  @Test
  void aProgressOnlyInitReadsNeitherTheResultNorTheLastError() {
    TestApi.TestSpace space = api.newSpace();
    String id = api.createJob(space, "report");
    TestTransitions transitions = new TestTransitions(jdbc);
    transitions.start(id);
    transitions.progress(id, 100, "done");
    transitions.complete(id, "{\"url\":\"https://files.example/report.pdf\"}");

    FeedQueries.JobState progressOnly = queries.jobState(id, false).orElseThrow();
    assertThat(progressOnly.status()).isEqualTo("completed");
    assertThat(progressOnly.progress()).contains("\"percent\"");
    assertThat(progressOnly.result()).isNull();
    assertThat(progressOnly.lastError()).isNull();

    FeedQueries.JobState full = queries.jobState(id, true).orElseThrow();
    assertThat(full.result()).contains("report.pdf");
  }
}
