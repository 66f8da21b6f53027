package dev.spool.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.job.JobCounts;
import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** GET /spaces/:id/stats, fed by the stats roll-up from job events. */
class StatsIntegrationTests extends IntegrationTest {

  @Autowired StatsRollup rollup;
  @Autowired JobCounts counts;

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  JsonNode stats(String query) {
    Response r = api.get("/api/v1/spaces/" + space.id() + "/stats" + query, space.key());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static long sum(JsonNode stats, String field) {
    long total = 0;
    for (JsonNode p : stats.get("points")) {
      total += p.get(field).asLong();
    }
    return total;
  }

  static JsonNode last(JsonNode stats) {
    JsonNode points = stats.get("points");
    return points.get(points.size() - 1);
  }

  /** The last point with a non-zero {@code count}. */
  static JsonNode lastWith(JsonNode stats, String count) {
    JsonNode points = stats.get("points");
    for (int i = points.size() - 1; i >= 0; i--) {
      if (points.get(i).get(count).asLong() > 0) {
        return points.get(i);
      }
    }
    throw new AssertionError("no point with " + count + ": " + stats);
  }

  @Test
  void everyKindOfTransitionIsCountedFromTheEvents() {
    List<String> ids =
        api.createJobs(
            space,
            "[{\"name\":\"a\",\"maxRetries\":0},{\"name\":\"a\",\"maxRetries\":1},"
                + "{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"}]");
    String dying = worker.start(ids.get(0));
    assertThat(worker.fail(ids.get(0), "{\"error\":\"x\"}", dying).status()).isEqualTo(200);
    String retrying = worker.start(ids.get(1));
    assertThat(worker.fail(ids.get(1), "{\"error\":\"x\"}", retrying).status()).isEqualTo(200);
    worker.start(ids.get(2));
    worker.complete(ids.get(2));
    worker.deliver(ids.get(3));
    assertThat(worker.kill(ids.get(4), "{}").status()).isEqualTo(200);

    rollup.runNow();
    JsonNode stats = stats("");

    assertThat(stats.get("step").asString()).isEqualTo("1m");
    assertThat(stats.get("points").size()).isBetween(60, 61);
    assertThat(sum(stats, "created")).isEqualTo(6);
    assertThat(sum(stats, "delivered")).isEqualTo(4);
    assertThat(sum(stats, "completed")).isEqualTo(1);
    assertThat(sum(stats, "retried")).isEqualTo(1);
    assertThat(sum(stats, "dead")).isEqualTo(1);
    assertThat(sum(stats, "killed")).isEqualTo(1);
    // pending: the retried job and ids[5]; the delivered one is no longer waiting
    assertThat(last(stats).get("backlog").asLong()).isEqualTo(2);
    // the minute of the deliveries, which is not the last one when the test crossed a minute
    assertThat(lastWith(stats, "delivered").get("waitP95Ms").asLong()).isPositive();
  }

  @Test
  void waitTimeIsTheTimeFromAvailableToDelivered() throws Exception {
    String id = api.createJob(space, "w");
    Thread.sleep(400);
    worker.deliver(id);

    rollup.runNow();
    JsonNode stats = stats("?step=1h");

    JsonNode point = last(stats);
    // one sample: its bucket's middle is within about 9 % of the real wait (≥ 400 ms)
    assertThat(point.get("waitP50Ms").asLong()).isBetween(370L, 2000L);
    assertThat(point.get("waitP95Ms").asLong()).isEqualTo(point.get("waitP50Ms").asLong());
  }

  @Test
  void quietStepsArePresentWithZeros() {
    Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
    Instant from = to.minus(10, ChronoUnit.MINUTES);

    JsonNode stats = stats("?from=" + from + "&to=" + to);

    assertThat(stats.get("from").asString()).isEqualTo(from.toString().replace("Z", ".000Z"));
    assertThat(stats.get("points")).hasSize(10);
    for (JsonNode p : stats.get("points")) {
      for (String f : List.of("created", "delivered", "backlog", "waitP50Ms", "runP95Ms")) {
        assertThat(p.get(f).asLong()).isZero();
      }
    }
  }

  @Test
  void coarserStepsAddUpTheMinutes() {
    api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"}]");
    rollup.runNow();
    Instant now = Instant.now();

    JsonNode hourly =
        stats("?step=1h&from=" + now.minus(3, ChronoUnit.HOURS) + "&to=" + now.plusSeconds(60));
    JsonNode fiveMinutes = stats("?step=5m&from=" + now.minus(20, ChronoUnit.MINUTES));

    assertThat(hourly.get("points").size()).isBetween(4, 5);
    assertThat(sum(hourly, "created")).isEqualTo(3);
    assertThat(sum(fiveMinutes, "created")).isEqualTo(3);
    assertThat(last(hourly).get("backlog").asLong()).isEqualTo(3);
  }

  @Test
  void aRollUpRunTwiceCountsEachEventOnce() {
    api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"}]");
    rollup.runNow();
    rollup.runNow();
    rollup.runOnce();

    assertThat(sum(stats(""), "created")).isEqualTo(2);
  }

  /**
   * A turn folds only transactions below the count watermark: the events of a transaction still
   * open during a turn (a lower transaction id than events the turn could see) wait for a later
   * turn, and are counted once, in the minute their transaction began.
   */
  @Test
  void theEventsOfATransactionOpenDuringATurnAreCountedOnceAfterItCommits() throws Exception {
    TransactionTemplate tx = new TransactionTemplate(transactionManager);
    CountDownLatch written = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> open =
          pool.submit(
              () ->
                  tx.executeWithoutResult(
                      status -> {
                        jobs.in(space).insert();
                        written.countDown();
                        try {
                          release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }));
      assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
      api.createJob(space, "later"); // committed first, with a higher transaction id
      counts.runOnce();
      long watermark = jdbc.sql("SELECT tx FROM job_count_watermark").query(Long.class).single();
      // a turn of this instance folds up to the watermark (the loop's own turn may hold the lock)
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                rollup.runOnce();
                return jdbc.sql("SELECT from_tx FROM job_stats_cursor").query(Long.class).single()
                    >= watermark;
              });
      long beforeCommit = sum(stats(""), "created");
      release.countDown();
      open.get(30, TimeUnit.SECONDS);
      rollup.runNow();
      rollup.runNow();

      assertThat(beforeCommit).isZero(); // the watermark stays below the open transaction
      assertThat(sum(stats(""), "created")).isEqualTo(2);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void twoInstancesRollingUpAtOnceCountEveryEventOnce() throws Exception {
    StatsRollup other = SecondInstance.shared().bean(StatsRollup.class);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> turns = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        turns.add(pool.submit(() -> api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"}]")));
        turns.add(pool.submit(rollup::runOnce));
        turns.add(pool.submit(other::runOnce));
      }
      for (Future<?> f : turns) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    other.runNow();

    assertThat(sum(stats(""), "created")).isEqualTo(20);
  }

  @Test
  void rowsOlderThanTheRetentionAreDeleted() {
    jdbc.sql(
            "INSERT INTO job_stats (space_id, minute, created) "
                + "VALUES (:s, date_trunc('minute', now()) - interval '30 days', 5)")
        .param("s", space.id())
        .update();

    rollup.runNow();

    assertThat(
            jdbc.sql("SELECT count(*) FROM job_stats WHERE space_id = :s")
                .param("s", space.id())
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void badParametersAreA400AndAccessFollowsTheOtherReads() {
    String base = "/api/v1/spaces/" + space.id() + "/stats";
    for (String q :
        List.of(
            "?step=2m",
            "?from=yesterday",
            "?to=2025-13-01T00:00:00Z",
            "?from=2025-02-24T10:00:00Z&to=2025-02-24T09:00:00Z",
            "?from=2025-02-01T00:00:00Z&to=2025-02-24T00:00:00Z")) {
      Response r = api.get(base + q, space.key());
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error()).as(q).isNotBlank();
    }
    assertThat(api.get("/api/v1/spaces/01JNOSUCHSPACE0000000000000/stats", api.adminKey()).status())
        .isEqualTo(404);
    TestSpace other = api.newSpace();
    assertThat(api.get(base, other.key()).status()).isEqualTo(403);
    String progressOnly = api.newKey(space.id(), List.of("jobs:read:progress"));
    assertThat(api.get(base, progressOnly).status()).isEqualTo(403);
    assertThat(
            api.get(
                    base + "?step=1h&from=2025-02-01T00:00:00Z&to=2025-02-24T00:00:00Z",
                    space.key())
                .status())
        .isEqualTo(200);
  }
}
