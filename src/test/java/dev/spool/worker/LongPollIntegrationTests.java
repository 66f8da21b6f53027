package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.database.PgNotifications;
import dev.spool.support.IntegrationTest;
import dev.spool.support.SecondInstance;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Long polls: they wait without a job, wake on a create anywhere, and end on time or shutdown. */
class LongPollIntegrationTests extends IntegrationTest {

  @Autowired LongPolls longPolls;
  @Autowired PgNotifications notifications;

  /**
   * The polls' own threads: the common pool has one worker on a 2-core machine, and a blocking poll
   * left there by an earlier test would hold up the next one (seen in CI as a poll that never
   * registered within 10 s).
   */
  private final ExecutorService clients = Executors.newCachedThreadPool();

  @AfterEach
  void stopClients() {
    clients.shutdownNow();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met in 10 s");
      }
      Thread.sleep(2);
    }
  }

  @Test
  void anEmptyLongPollWaitsItsTimeThenAnswersEmpty() {
    WorkerCalls worker = new WorkerCalls(api, api.newSpace());
    long start = System.nanoTime();

    Response r = worker.poll("{\"waitSeconds\":1}");

    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"jobs\":[]}");
    assertThat(millis).isBetween(950L, 3000L);
  }

  @Test
  void aLongPollWaitingOnOneInstanceIsAnsweredSoonAfterACreateOnTheOther() throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    TestApi producer = SecondInstance.shared().api();
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int before = longPolls.waitingIn(space.id());
      CompletableFuture<Response> poll =
          CompletableFuture.supplyAsync(() -> worker.poll("{\"waitSeconds\":10}"), clients);
      await(() -> longPolls.waitingIn(space.id()) > before);
      Thread.sleep(20);
      Response created =
          producer.post(
              "/api/v1/spaces/" + space.id() + "/jobs", space.key(), "{\"name\":\"wake\"}");
      long createdAt = System.nanoTime();
      Response answer = poll.get(15, TimeUnit.SECONDS);
      latencies.add((System.nanoTime() - createdAt) / 1_000);
      assertThat(answer.json().get("jobs").get(0).get("id").asString())
          .isEqualTo(created.json().get("id").asString());
    }
    Collections.sort(latencies);
    System.out.printf(
        "long poll across instances, create answered -> poll answered: p50 %.1f ms, max %.1f ms%n",
        latencies.get(latencies.size() / 2) / 1000.0, latencies.get(latencies.size() - 1) / 1000.0);
    // the goal is 100 ms; the bound is generous because the test machine is shared and loaded
    assertThat(latencies.get(latencies.size() / 2)).isLessThan(1_000_000L);
  }

  @Test
  void aLostNotificationOnlyCostsTheRecheckInterval() throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    int before = longPolls.waitingIn(space.id());
    notifications.removeListener(longPolls);
    try {
      CompletableFuture<Response> poll =
          CompletableFuture.supplyAsync(() -> worker.poll("{\"waitSeconds\":10}"), clients);
      await(() -> longPolls.waitingIn(space.id()) > before);
      long start = System.nanoTime();
      String id = api.createJob(space, "unannounced");

      Response r = poll.get(15, TimeUnit.SECONDS);

      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("long poll without its notification answered after %d ms%n", millis);
      assertThat(r.json().get("jobs").get(0).get("id").asString()).isEqualTo(id);
      assertThat(millis).isLessThan(4_000L);
    } finally {
      notifications.addListener(longPolls);
    }
  }

  @Test
  void aLongPollIsNotWokenByAnotherSpaceOrAnotherName() throws Exception {
    TestSpace space = api.newSpace();
    TestSpace other = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    CompletableFuture<Response> poll =
        CompletableFuture.supplyAsync(
            () -> worker.poll("{\"waitSeconds\":2,\"name\":\"wanted\"}"), clients);
    Thread.sleep(300);
    api.createJob(other, "wanted");
    api.createJob(space, "unwanted");

    Response r = poll.get(10, TimeUnit.SECONDS);

    assertThat(r.body()).isEqualTo("{\"jobs\":[]}");
  }

  @Test
  void aLongPollReceivesAScheduledJobWhenItFallsDueAndNotBefore() throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    Instant due = Instant.now().plusMillis(1500);
    api.createJobs(space, "{\"name\":\"later\",\"scheduledFor\":\"" + due + "\"}");

    Response r = worker.poll("{\"waitSeconds\":10}");

    Instant answered = Instant.now();
    JsonNode jobs = r.json().get("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(answered).isAfterOrEqualTo(due.minusMillis(50));
    assertThat(answered).isBefore(due.plusMillis(2500));
    System.out.printf(
        "scheduled job delivered %d ms after it fell due%n",
        answered.toEpochMilli() - due.toEpochMilli());
  }

  @Test
  void shuttingAnInstanceDownAnswersItsWaitingPollsEmpty() throws Exception {
    TestSpace space = api.newSpace();
    SecondInstance instance = SecondInstance.start();
    WorkerCalls worker = new WorkerCalls(instance.api(), space);
    // every exchange is checked against the description the instance serves: read it now, while
    // the instance is up (the waiting poll's answer arrives after it has shut down)
    assertThat(worker.pollJobs("{}")).isEmpty();
    LongPolls polls = instance.bean(LongPolls.class);
    CompletableFuture<Response> poll =
        CompletableFuture.supplyAsync(() -> worker.poll("{\"waitSeconds\":20}"), clients);
    await(() -> polls.waiting() == 1);
    long start = System.nanoTime();

    instance.close();
    Response r = poll.get(15, TimeUnit.SECONDS);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"jobs\":[]}");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000L);
    assertThat(api.createJob(space, "after")).isNotNull();
    assertThat(new WorkerCalls(api, space).pollJobs("{}")).hasSize(1);
  }
}
