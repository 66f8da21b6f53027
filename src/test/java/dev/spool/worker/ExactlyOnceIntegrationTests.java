package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Thousands of jobs, sixteen concurrent workers polling several at a time, two Spool instances on
 * one database, single calls, ack on poll and batch calls mixed: every job is delivered exactly
 * once and completed exactly once, none is lost.
 */
class ExactlyOnceIntegrationTests extends IntegrationTest {

  /**
   * On a Citus cluster (TEST_CITUS=1) every statement makes one more hop and the three nodes share
   * this machine's cores: fewer jobs keep that part of the suite within its few minutes.
   */
  static final int JOBS = TestDatabase.citus() ? 1_000 : 5_000;

  static final int WORKERS = 16;
  static final long TIME_LIMIT_MS = 240_000;

  /** How a worker starts and finishes its jobs: single and batch calls are mixed in one run. */
  enum Mode {
    SINGLE_ACK_SINGLE_COMPLETE(false),
    ACK_ON_POLL_BATCH_COMPLETE(true),
    BATCH_ACK_SINGLE_COMPLETE(false),
    ACK_ON_POLL_SINGLE_COMPLETE(true);

    final boolean ackOnPoll;

    Mode(boolean ackOnPoll) {
      this.ackOnPoll = ackOnPoll;
    }
  }

  /** A batch outcome's status, or null for a refused item. */
  static String statusOf(JsonNode outcome) {
    JsonNode status = outcome.get("status");
    return status == null ? null : status.asString();
  }

  static String delivery(JsonNode job) {
    return job.get("deliveryId").asString();
  }

  /** A batch body for the polled jobs, fenced by their deliveries, with results when asked. */
  static String items(JsonNode jobs, boolean withResults) {
    StringBuilder body = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < jobs.size(); i++) {
      JsonNode job = jobs.get(i);
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(job.get("id").asString())
          .append("\",\"deliveryId\":\"")
          .append(delivery(job))
          .append('"');
      if (withResults) {
        body.append(",\"result\":").append(job.get("payload"));
      }
      body.append('}');
    }
    return body.append("]}").toString();
  }

  @Test
  void everyJobIsDeliveredAndCompletedExactlyOnceAcrossTwoInstances() throws Exception {
    TestSpace space = api.newSpace();
    TestApi other = SecondInstance.shared().api();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < JOBS / 1000; i++) {
      StringBuilder batch = new StringBuilder("[");
      for (int j = 0; j < 1000; j++) {
        batch
            .append(j == 0 ? "" : ",")
            .append("{\"name\":\"n")
            .append(j % 3)
            .append("\",\"payload\":")
            .append(i * 1000 + j)
            .append('}');
      }
      created.addAll(api.createJobs(space, batch.append(']').toString()));
    }

    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger conflicts = new AtomicInteger();
    long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    List<Future<?>> futures = new ArrayList<>();
    long started = System.nanoTime();
    for (int w = 0; w < WORKERS; w++) {
      WorkerCalls worker = new WorkerCalls((w / 4) % 2 == 0 ? api : other, space);
      Mode mode = Mode.values()[w % 4];
      boolean longPoll = w % 3 == 0;
      futures.add(
          pool.submit(
              () -> {
                while (completed.get() < JOBS && System.currentTimeMillis() < deadline) {
                  int count = ThreadLocalRandom.current().nextInt(2, 21);
                  JsonNode jobs =
                      worker.pollJobs(
                          "{\"count\":"
                              + count
                              + (mode.ackOnPoll ? ",\"ack\":true" : "")
                              + (longPoll ? ",\"waitSeconds\":1}" : "}"));
                  for (JsonNode job : jobs) {
                    deliveries
                        .computeIfAbsent(job.get("id").asString(), k -> new AtomicInteger())
                        .incrementAndGet();
                  }
                  if (jobs.isEmpty()) {
                    continue;
                  }
                  List<JsonNode> running = new ArrayList<>();
                  if (mode == Mode.BATCH_ACK_SINGLE_COMPLETE) {
                    JsonNode results = worker.batchResults("ack", items(jobs, false));
                    for (int i = 0; i < jobs.size(); i++) {
                      if ("running".equals(statusOf(results.get(i)))) {
                        running.add(jobs.get(i));
                      } else {
                        conflicts.incrementAndGet();
                      }
                    }
                  } else if (mode == Mode.SINGLE_ACK_SINGLE_COMPLETE) {
                    for (JsonNode job : jobs) {
                      Response ack = worker.ack(job.get("id").asString(), delivery(job));
                      if (ack.status() == 200) {
                        running.add(job);
                      } else {
                        conflicts.incrementAndGet();
                      }
                    }
                  } else {
                    jobs.forEach(running::add);
                  }
                  if (mode == Mode.ACK_ON_POLL_BATCH_COMPLETE) {
                    JsonNode results = worker.batchResults("complete", items(jobs, true));
                    for (JsonNode r : results) {
                      if ("completed".equals(statusOf(r))) {
                        completions
                            .computeIfAbsent(r.get("id").asString(), k -> new AtomicInteger())
                            .incrementAndGet();
                        completed.incrementAndGet();
                      } else {
                        conflicts.incrementAndGet();
                      }
                    }
                    continue;
                  }
                  for (JsonNode job : running) {
                    String id = job.get("id").asString();
                    Response done =
                        worker.complete(
                            id, "{\"result\":" + job.get("payload") + "}", delivery(job));
                    if (done.status() == 200) {
                      completions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                      completed.incrementAndGet();
                    } else {
                      conflicts.incrementAndGet();
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(TIME_LIMIT_MS + 30_000, TimeUnit.MILLISECONDS);
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "exactly-once: %d jobs, %d workers on 2 instances, %.1f s, %.0f jobs/s%n",
        JOBS, WORKERS, seconds, JOBS / seconds);

    assertThat(conflicts.get()).isZero();
    assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(created);
    assertThat(deliveries.values()).allMatch(n -> n.get() == 1);
    assertThat(completions.values()).allMatch(n -> n.get() == 1);
    assertThat(completed.get()).isEqualTo(JOBS);
    Map<String, Long> byStatus = new ConcurrentHashMap<>();
    jdbc.sql("SELECT status, count(*) AS n FROM jobs WHERE space_id = :s GROUP BY status")
        .param("s", space.id())
        .query((rs, n) -> byStatus.put(rs.getString("status"), rs.getLong("n")))
        .list();
    assertThat(byStatus).isEqualTo(Map.of("completed", (long) JOBS));
    List<String> eventCounts =
        jdbc.sql(
                """
                SELECT type || ':' || count(*) FROM job_events WHERE space_id = :s
                 GROUP BY type ORDER BY type
                """)
            .param("s", space.id())
            .query(String.class)
            .list();
    assertThat(eventCounts)
        .containsExactly(
            "acked:" + JOBS, "completed:" + JOBS, "created:" + JOBS, "delivered:" + JOBS);
    Set<String> results =
        Set.copyOf(
            jdbc.sql("SELECT result::text FROM jobs WHERE space_id = :s")
                .param("s", space.id())
                .query(String.class)
                .list());
    assertThat(results).hasSize(JOBS);
  }
}
