package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Acks and completes of concurrent requests are written together ({@link Transitions}, {@link
 * dev.spool.database.GroupCommit}); each request must still get exactly the answer it would get
 * alone: its own guard, its own result, one winner per job.
 */
class GroupedTransitionsIntegrationTests extends IntegrationTest {

  static final int THREADS = 24;

  TestSpace space;
  WorkerCalls worker;
  ExecutorService pool;

  @BeforeEach
  void start() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Creates and polls {@code n} jobs: id → deliveryId. */
  Map<String, String> delivered(int n) {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      body.append(i == 0 ? "" : ",").append("{\"name\":\"g\",\"payload\":").append(i).append('}');
    }
    api.createJobs(space, body.append(']').toString());
    Map<String, String> deliveries = new HashMap<>();
    while (deliveries.size() < n) {
      for (JsonNode job : worker.pollJobs("{\"count\":50}")) {
        deliveries.put(job.get("id").asString(), job.get("deliveryId").asString());
      }
    }
    return deliveries;
  }

  /** Runs the calls at once (released together) and returns their responses in order. */
  List<Response> atOnce(List<Callable<Response>> calls) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Response>> futures = new ArrayList<>();
    for (Callable<Response> call : calls) {
      futures.add(
          pool.submit(
              () -> {
                go.await(10, TimeUnit.SECONDS);
                return call.call();
              }));
    }
    go.countDown();
    List<Response> out = new ArrayList<>();
    for (Future<Response> f : futures) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void concurrentAcksOfOneJobHaveExactlyOneWinner() throws Exception {
    for (Map.Entry<String, String> job : delivered(10).entrySet()) {
      List<Callable<Response>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> worker.ack(job.getKey(), job.getValue()));
      }
      List<Response> answers = atOnce(calls);
      assertThat(answers.stream().filter(r -> r.status() == 200)).hasSize(1);
      assertThat(answers.stream().filter(r -> r.status() == 409))
          .hasSize(7)
          .allMatch(r -> r.error().equals("Job is not delivered (status: running)"));
      assertThat(eventCount(job.getKey(), "acked")).isEqualTo(1);
    }
  }

  @Test
  void concurrentCompletesOfOneJobStoreTheWinnersResultOnly() throws Exception {
    for (Map.Entry<String, String> job : delivered(10).entrySet()) {
      List<Callable<Response>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String body = "{\"result\":{\"by\":" + i + "}}";
        calls.add(() -> worker.complete(job.getKey(), body, job.getValue()));
      }
      List<Response> answers = atOnce(calls);
      List<Response> winners = answers.stream().filter(r -> r.status() == 200).toList();
      assertThat(winners).hasSize(1);
      assertThat(answers.stream().filter(r -> r.status() == 409)).hasSize(7);
      JsonNode stored = worker.job(job.getKey());
      assertThat(stored.get("status").asString()).isEqualTo("completed");
      assertThat(stored.get("result")).isEqualTo(winners.get(0).json().get("result"));
      assertThat(eventCount(job.getKey(), "completed")).isEqualTo(1);
    }
  }

  @Test
  void eachRequestInABatchIsJudgedByItsOwnGuard() throws Exception {
    Map<String, String> jobs = delivered(THREADS);
    TestSpace stranger = api.newSpace();
    WorkerCalls outsider = new WorkerCalls(api, stranger);
    List<String> ids = new ArrayList<>(jobs.keySet());
    List<Callable<Response>> calls = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      String delivery = jobs.get(id);
      switch (i % 4) {
        case 0 -> calls.add(() -> worker.ack(id, delivery));
        case 1 -> calls.add(() -> worker.ack(id, "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        case 2 -> calls.add(() -> outsider.ack(id, delivery));
        default -> calls.add(() -> worker.complete(id, "{\"result\":\"r-" + id + "\"}", delivery));
      }
    }
    List<Response> answers = atOnce(calls);
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      Response r = answers.get(i);
      JsonNode job = worker.job(id);
      switch (i % 4) {
        case 0 -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.json().get("id").asString()).isEqualTo(id);
          assertThat(job.get("status").asString()).isEqualTo("running");
        }
        case 1 -> {
          assertThat(r.status()).isEqualTo(409);
          assertThat(job.get("status").asString()).isEqualTo("delivered");
        }
        case 2 -> {
          assertThat(r.status()).isEqualTo(403);
          assertThat(job.get("status").asString()).isEqualTo("delivered");
        }
        default -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.json().get("result").asString()).isEqualTo("r-" + id);
          assertThat(job.get("status").asString()).isEqualTo("completed");
        }
      }
    }
  }

  /**
   * Concurrent calls do share transactions (the point of grouping): some transaction carried the
   * events of more than one request. Rounds are repeated a few times so that scheduling luck cannot
   * fail the test, while a server that wrote every request alone always does.
   */
  @Test
  void concurrentCallsShareTransactions() throws Exception {
    long shared = 0;
    for (int round = 0; round < 5 && shared == 0; round++) {
      Map<String, String> jobs = delivered(THREADS);
      List<Callable<Response>> calls = new ArrayList<>();
      jobs.forEach((id, delivery) -> calls.add(() -> worker.ack(id, delivery)));
      assertThat(atOnce(calls)).allMatch(r -> r.status() == 200);
      shared =
          jdbc.sql(
                  """
                  SELECT count(*) FROM (
                      SELECT tx FROM job_events WHERE space_id = :s AND type = 'acked'
                       GROUP BY tx HAVING count(*) > 1) t
                  """)
              .param("s", space.id())
              .query(Long.class)
              .single();
    }
    assertThat(shared).isPositive();
  }

  long eventCount(String jobId, String type) {
    return jdbc.sql("SELECT count(*) FROM job_events WHERE job_id = :id AND type = :t")
        .param("id", jobId)
        .param("t", type)
        .query(Long.class)
        .single();
  }
}
