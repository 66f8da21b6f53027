package dev.spool.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobCounts;
import dev.spool.job.JobStatus;
import dev.spool.support.TestApi.TestSpace;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The factory writes jobs the engine would have written: the API shows them in the asked state with
 * the asked times, the counts derived from their events equal the table, and a terminal job with a
 * callback has its outbox row.
 */
class JobFactoryIntegrationTests extends IntegrationTest {

  @Autowired JobCounts counts;

  @Test
  void aJobInEveryStateIsCountedAsTheTableSaysBeforeAndAfterFolding() {
    TestSpace space = api.newSpace();
    for (JobStatus status : JobStatus.values()) {
      jobs.in(space).status(status).insert();
      jobs.in(space).status(status).attempt(2).maxRetries(2).insert(2);
    }

    Map<String, Long> table = new LinkedHashMap<>();
    for (JobStatus s : JobStatus.values()) {
      table.put(s.wire(), 0L);
    }
    jdbc.sql("SELECT status, count(*) AS n FROM jobs WHERE space_id = :s GROUP BY status")
        .param("s", space.id())
        .query((rs, n) -> table.put(rs.getString("status"), rs.getLong("n")))
        .list();
    assertThat(table.values()).containsOnly(3L);
    assertThat(counts.forSpace(space.id())).isEqualTo(table);
    CountsFolded.await(jdbc, counts);
    assertThat(counts.forSpace(space.id())).isEqualTo(table);
  }

  @Test
  void theApiShowsTheAskedStateTimesAndHistory() {
    TestSpace space = api.newSpace();
    Instant created = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    Instant started = created.plus(1, ChronoUnit.HOURS);
    String id =
        jobs.in(space)
            .name("encode")
            .status(JobStatus.RUNNING)
            .attempt(1)
            // a deadline still ahead, or the timeout rescuer (every second) may retry the job
            // before the worker call below
            .timeoutSeconds(86400)
            .createdAt(created)
            .startedAt(started)
            .payload("{\"file\":\"a.mp4\"}")
            .insert();

    JsonNode job = api.get("/api/v1/jobs/" + id, space.key()).json();
    assertThat(job.get("status").asString()).isEqualTo("running");
    assertThat(job.get("name").asString()).isEqualTo("encode");
    assertThat(job.get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(job.get("payload").get("file").asString()).isEqualTo("a.mp4");
    assertThat(Instant.parse(job.get("createdAt").asString())).isEqualTo(created);
    assertThat(Instant.parse(job.get("startedAt").asString())).isEqualTo(started);
    assertThat(job.get("events").valueStream().map(e -> e.get("type").asString()).toList())
        .containsExactly("created", "delivered", "acked", "retried", "delivered", "acked");
    Instant deadline =
        jdbc.sql("SELECT deadline_at FROM jobs WHERE id = :id")
            .param("id", id)
            .query(java.time.OffsetDateTime.class)
            .single()
            .toInstant();
    assertThat(deadline).isEqualTo(started.plusSeconds(86400));

    // the worker API takes it from there
    WorkerCalls worker = new WorkerCalls(api, space);
    worker.completeWith(id, "{\"done\":true}");
    assertThat(worker.status(id)).isEqualTo("completed");
  }

  @Test
  void terminalJobsCarryTheirResultAndACallbackOutboxRowWrittenByTheSchema() {
    TestSpace space = api.newSpace();
    String url = "http://callback.invalid/hook";
    List<String> done =
        jobs.in(space).status(JobStatus.COMPLETED).result("{\"n\": 1.50}").callback(url).insert(2);
    String dead = jobs.in(space).status(JobStatus.DEAD).error("boom").insert();
    String killed = jobs.in(space).status(JobStatus.KILLED).reason("stop").callback(url).insert();

    WorkerCalls worker = new WorkerCalls(api, space);
    assertThat(worker.job(dead).get("result").get("error").asString()).isEqualTo("boom");
    assertThat(worker.job(dead).get("lastError").asString()).isEqualTo("boom");
    assertThat(worker.job(killed).get("result").get("reason").asString()).isEqualTo("stop");
    // the dispatcher may already have appended its attempt's event
    assertThat(worker.eventTypes(killed)).startsWith("created", "killed");
    assertThat(worker.job(done.get(0)).get("completedAt").isNull()).isFalse();
    List<String> bodies =
        jdbc.sql("SELECT body FROM callback_deliveries WHERE space_id = :s ORDER BY job_id")
            .param("s", space.id())
            .query(String.class)
            .list();
    assertThat(bodies).hasSize(3);
    assertThat(bodies.get(0)).contains("\"status\":\"completed\"", "\"result\":{\"n\": 1.50}");
    assertThat(bodies.get(2)).contains("\"status\":\"killed\"");
  }
}
