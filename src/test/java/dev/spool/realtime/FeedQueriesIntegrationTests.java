package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/** The feed's one-statement fetch of committed transactions' events and count deltas. */
class FeedQueriesIntegrationTests extends IntegrationTest {

  @Autowired FeedQueries queries;

  @Test
  void aFetchReturnsATransactionsEventsInTheAskedSpacesInOrderWithTheirNetCountChanges() {
    TestApi.TestSpace here = api.newSpace();
    TestApi.TestSpace there = api.newSpace();
    String earlierJob = api.createJob(here, "earlier");
    String[] inserted = new String[2];
    new TransactionTemplate(transactionManager)
        .executeWithoutResult(
            status -> {
              inserted[0] =
                  jobs.in(here)
                      .name("a")
                      .status(JobStatus.RUNNING)
                      .progress("{\"percent\":10,\"message\":\"one\"}")
                      .insert();
              inserted[1] = jobs.in(there).name("b").status(JobStatus.RUNNING).insert();
            });
    String a = inserted[0];
    long tx = lastTx(a);
    long earlier = lastTx(earlierJob);

    FeedQueries.Fetched got = queries.eventsOf(List.of(tx, earlier), List.of(here.id()));

    FeedQueries.TxEvents ofTx = got.of(tx);
    assertThat(ofTx.events())
        .extracting(StoredEvent::type)
        .containsExactly("created", "delivered", "acked", "progress");
    assertThat(ofTx.events()).extracting(StoredEvent::jobId).containsOnly(a);
    assertThat(ofTx.events().get(3).data()).contains("\"one\"");
    assertThat(ofTx.events().get(0).jobName()).isEqualTo("a");
    // created -> pending -> delivered -> running nets out to one more running job
    assertThat(ofTx.deltas()).containsOnlyKeys(here.id());
    assertThat(ofTx.deltas().get(here.id())).isEqualTo(Map.of("running", 1L));
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
    String id =
        jobs.in(space)
            .name("report")
            .status(JobStatus.COMPLETED)
            .progress("{\"percent\":100,\"message\":\"done\"}")
            .result("{\"url\":\"https://files.example/report.pdf\"}")
            .insert();

    FeedQueries.JobState progressOnly = queries.jobState(id, false).orElseThrow();
    assertThat(progressOnly.status()).isEqualTo("completed");
    assertThat(progressOnly.progress()).contains("\"percent\"");
    assertThat(progressOnly.result()).isNull();
    assertThat(progressOnly.lastError()).isNull();

    FeedQueries.JobState full = queries.jobState(id, true).orElseThrow();
    assertThat(full.result()).contains("report.pdf");
  }
}
