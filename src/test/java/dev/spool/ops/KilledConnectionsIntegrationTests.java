package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The fault run of issue 13: the service's database connections are killed with {@code
 * pg_terminate_backend} (from a separate connection, only those tagged with this test's application
 * name) while clients create, poll, ack and complete. Every answer is a success, a 409 or a 503
 * with {@code Retry-After}; a 201 always names jobs that exist, and a create answered 503 either
 * did not happen or is found by its retry with the same {@code Idempotency-Key} — never twice.
 */
@DirtiesContext
@TestPropertySource(
    properties =
        "spring.datasource.hikari.data-source-properties.ApplicationName="
            + KilledConnectionsIntegrationTests.APPLICATION_NAME)
class KilledConnectionsIntegrationTests extends IntegrationTest {

  static final String APPLICATION_NAME = "spool-killed-connections-test";
  static final int KILLS = 6;

  record Create(String idempotencyKey, String name, Response response) {}

  @Test
  void killedConnectionsUnderLoadAnswerOnlySuccess409Or503AndLoseOrDoubleNoCreate()
      throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    ConcurrentLinkedQueue<Create> creates = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Response> workerAnswers = new ConcurrentLinkedQueue<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(KILLS + 2);

    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> clients = new ArrayList<>();
    try {
      for (int c = 0; c < 3; c++) {
        int client = c;
        clients.add(
            pool.submit(
                () -> {
                  for (int i = 0; System.nanoTime() < until; i++) {
                    String name = "fault-" + client + "-" + i;
                    String key = "idem-" + name;
                    creates.add(new Create(key, name, create(space, key, name)));
                  }
                }));
        clients.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < until) {
                    Response poll = worker.poll("{\"count\":5}");
                    workerAnswers.add(poll);
                    if (poll.status() != 200) {
                      continue;
                    }
                    for (JsonNode job : poll.json().get("jobs")) {
                      String id = job.get("id").asString();
                      String delivery = job.get("deliveryId").asString();
                      Response ack = worker.ack(id, delivery);
                      workerAnswers.add(ack);
                      if (ack.status() == 200) {
                        workerAnswers.add(worker.complete(id, "{\"result\":1}", delivery));
                      }
                    }
                  }
                }));
      }
      int killed = 0;
      for (int k = 0; k < KILLS; k++) {
        Thread.sleep(1000);
        killed += TestDatabase.get().terminateConnectionsOf(APPLICATION_NAME);
      }
      assertThat(killed).as("the test killed the service's connections").isPositive();
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<Response> all = new ArrayList<>(workerAnswers);
    creates.forEach(c -> all.add(c.response()));
    for (Response r : all) {
      assertThat(r.status()).as(r.body()).isIn(200, 201, 409, 503);
      if (r.status() == 503) {
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.json().get("code").asString()).isEqualTo("database_unavailable");
      }
    }

    for (Create c : creates) {
      if (c.response().status() == 201) {
        String id = c.response().json().get("id").asString();
        assertThat(api.get("/api/v1/jobs/" + id, space.key()).status())
            .as("a 201 names a job that exists")
            .isEqualTo(200);
      } else {
        // after the outage, the retry with the same key finds the job or creates it now
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> create(space, c.idempotencyKey(), c.name()).status() == 201);
      }
      assertThat(jobsNamed(space, c.name())).as("create %s exists exactly once", c.name()).isOne();
    }
  }

  private Response create(TestSpace space, String idempotencyKey, String name) {
    return api.post(
        "/api/v1/spaces/" + space.id() + "/jobs",
        space.key(),
        "{\"name\":\"" + name + "\"}",
        Map.of("Content-Type", "application/json", "Idempotency-Key", idempotencyKey));
  }

  private long jobsNamed(TestSpace space, String name) {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :space AND name = :name")
        .param("space", space.id())
        .param("name", name)
        .query(Long.class)
        .single();
  }
}
