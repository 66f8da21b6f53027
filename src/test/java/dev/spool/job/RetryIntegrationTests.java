package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** POST /jobs/:id/retry: a dead or killed job runs again as a new job. */
class RetryIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  Response retry(String jobId, String key) {
    return api.post("/api/v1/jobs/" + jobId + "/retry", key, "");
  }

  String deadJob() {
    String id =
        api.createJobs(
                space,
                "{\"name\":\"resize\",\"payload\":{\"w\":3,\"tags\":[\"a\"]},\"maxRetries\":0,"
                    + "\"timeoutSeconds\":77,\"backoffSeconds\":5,"
                    + "\"callbackUrl\":\"https://example.com/cb\","
                    + "\"callbackHeaders\":{\"x-a\":\"1\"}}")
            .get(0);
    String delivery = worker.start(id);
    assertThat(worker.fail(id, "{\"error\":\"boom\"}", delivery).status()).isEqualTo(200);
    assertThat(worker.status(id)).isEqualTo("dead");
    return id;
  }

  @Test
  void aDeadJobRunsAgainAsANewJobWithItsNamePayloadAndOptions() {
    String old = deadJob();

    Response r = retry(old, space.key());

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String id = r.json().get("id").asString();
    assertThat(r.json().get("spaceId").asString()).isEqualTo(space.id());
    assertThat(id).isNotEqualTo(old);
    JsonNode job = worker.job(id);
    JsonNode before = worker.job(old);
    assertThat(job.get("status").asString()).isEqualTo("pending");
    assertThat(job.get("retriedFrom").asString()).isEqualTo(old);
    assertThat(job.get("attemptNumber").asInt()).isZero();
    for (String f :
        List.of(
            "name",
            "payload",
            "maxRetries",
            "timeoutSeconds",
            "backoffSeconds",
            "callbackUrl",
            "callbackHeaders")) {
      assertThat(job.get(f)).as(f).isEqualTo(before.get(f));
    }
    assertThat(before.get("retriedFrom").isNull()).isTrue();
    JsonNode retriedAs = null;
    for (JsonNode e : before.get("events")) {
      if (e.get("type").asString().equals("retried_as")) {
        retriedAs = e; // (a callback attempt may add events after it)
      }
    }
    assertThat(retriedAs).isNotNull();
    assertThat(retriedAs.get("data").get("jobId").asString()).isEqualTo(id);
    assertThat(worker.pollJobs("{}").get(0).get("id").asString()).isEqualTo(id);
  }

  @Test
  void aKilledJobCanBeRetriedToo() {
    String old = api.createJob(space, "k");
    assertThat(worker.kill(old, "{}").status()).isEqualTo(200);

    Response r = retry(old, space.key());

    assertThat(r.status()).isEqualTo(201);
    assertThat(worker.status(r.json().get("id").asString())).isEqualTo("pending");
  }

  @Test
  void aJobThatIsNotDeadOrKilledIsA409() {
    String pending = api.createJob(space, "p");
    String done = api.createJob(space, "c");
    worker.start(done);
    worker.complete(done);

    Response r1 = retry(pending, space.key());
    Response r2 = retry(done, space.key());

    assertThat(r1.status()).isEqualTo(409);
    assertThat(r1.error()).isEqualTo("Job is not dead or killed (status: pending)");
    assertThat(r2.status()).isEqualTo(409);
    assertThat(r2.json().get("code").asString()).isEqualTo("invalid_state");
  }

  @Test
  void aJobIsRetriedAtMostOnceEvenByConcurrentRequests() throws Exception {
    String old = deadJob();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Response>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        calls.add(pool.submit(() -> retry(old, space.key())));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Response> f : calls) {
        statuses.add(f.get(30, TimeUnit.SECONDS).status());
      }
      assertThat(statuses).containsOnly(201, 409);
      assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    Response again = retry(old, space.key());
    assertThat(again.json().get("code").asString()).isEqualTo("already_retried");
  }

  @Test
  void retryNeedsTheCreateScopeAndAJobOfTheKeysSpace() {
    String old = deadJob();
    String readOnly = api.newKey(space.id(), List.of("jobs:read"));
    TestSpace other = api.newSpace();

    assertThat(retry(old, readOnly).status()).isEqualTo(403);
    assertThat(retry(old, other.key()).status()).isEqualTo(403);
    assertThat(retry("01JNOSUCHJOB00000000000000", space.key()).status()).isEqualTo(404);
    assertThat(retry("not-an-id", space.key()).status()).isEqualTo(404);
    assertThat(retry("01JNOSUCHJOB00000000000000", api.adminKey()).status()).isEqualTo(404);
    Response byAdmin = retry(old, api.adminKey());
    assertThat(byAdmin.status()).isEqualTo(201);
    Response again = retry(old, api.adminKey());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).endsWith(byAdmin.json().get("id").asString());
  }
}
