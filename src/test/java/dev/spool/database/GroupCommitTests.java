package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The combining rules of {@link GroupCommit}, with a writer that records its batches. */
class GroupCommitTests {

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Echoes each input, after recording the batch; blocks the first batch until released. */
  private GroupCommit<String, String> recording(int inFlight, int maxWeight, CountDownLatch gate) {
    AtomicInteger calls = new AtomicInteger();
    return new GroupCommit<>(
        inFlight,
        maxWeight,
        s -> s.startsWith("heavy") ? 3 : 1,
        s -> s.substring(0, 1),
        batch -> {
          batches.add(batch.stream().map(GroupCommit.Entry::input).toList());
          if (calls.getAndIncrement() == 0) {
            await(gate);
          }
          batch.forEach(e -> e.succeed(e.input().toUpperCase()));
          return null;
        });
  }

  @Test
  void aLoneRequestIsWrittenAtOnceByItsOwnThread() {
    GroupCommit<String, String> group = recording(1, 10, new CountDownLatch(0));
    assertThat(group.submit("a")).isEqualTo("A");
    assertThat(batches).containsExactly(List.of("a"));
  }

  @Test
  void requestsQueuedBehindARunningBatchAreWrittenTogether() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    GroupCommit<String, String> group = recording(1, 10, gate);
    Future<String> first = pool.submit(() -> group.submit("a"));
    waitFor(() -> batches.size() == 1);
    List<Future<String>> rest = new ArrayList<>();
    for (String s : List.of("b", "c", "d")) {
      rest.add(pool.submit(() -> group.submit(s)));
    }
    waitFor(() -> queued(group) == 3);
    gate.countDown();
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("A");
    for (Future<String> f : rest) {
      assertThat(f.get(5, TimeUnit.SECONDS)).isIn("B", "C", "D");
    }
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).containsExactlyInAnyOrder("b", "c", "d");
  }

  @Test
  void equalKeysNeverShareABatchAndWeightIsCapped() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    GroupCommit<String, String> group = recording(1, 4, gate);
    Future<String> first = pool.submit(() -> group.submit("a0"));
    waitFor(() -> batches.size() == 1);
    List<Future<String>> rest = new ArrayList<>();
    // keys are first letters: b1 and b2 conflict; "heavy" weighs 3 of the 4 allowed
    for (String s : List.of("b1", "b2", "c1", "heavy")) {
      rest.add(pool.submit(() -> group.submit(s)));
      waitFor(() -> queued(group) == rest.size());
    }
    gate.countDown();
    first.get(5, TimeUnit.SECONDS);
    for (Future<String> f : rest) {
      f.get(5, TimeUnit.SECONDS);
    }
    for (List<String> batch : batches) {
      assertThat(batch.stream().map(s -> s.substring(0, 1)).distinct().count())
          .isEqualTo(batch.size());
      assertThat(batch.stream().mapToInt(s -> s.startsWith("heavy") ? 3 : 1).sum())
          .isLessThanOrEqualTo(4);
    }
    assertThat(batches.get(1)).containsExactly("b1", "c1");
    assertThat(batches.stream().flatMap(List::stream))
        .containsExactlyInAnyOrder("a0", "b1", "b2", "c1", "heavy");
  }

  @Test
  void aFailedBatchFailsItsOwnRequestsOnly() throws Exception {
    GroupCommit<String, String> group =
        simple(
            batch -> {
              if (batch.stream().anyMatch(e -> e.input().equals("bad"))) {
                throw new IllegalArgumentException("bad batch");
              }
              batch.forEach(e -> e.succeed("ok"));
              return null;
            });
    assertThatThrownBy(() -> group.submit("bad")).hasMessage("bad batch");
    assertThat(group.submit("good")).isEqualTo("ok");
  }

  @Test
  void anEntryTheWriterForgotFailsInsteadOfHanging() {
    GroupCommit<String, String> group = simple(batch -> null);
    assertThatThrownBy(() -> group.submit("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without an outcome");
  }

  @Test
  void anOutcomeIsSetOnce() {
    GroupCommit<String, String> group =
        simple(
            batch -> {
              batch.forEach(e -> e.succeed("first"));
              return () ->
                  batch.forEach(
                      e -> {
                        e.fail(new IllegalStateException("later"));
                        e.succeed("second");
                      });
            });
    assertThat(group.submit("x")).isEqualTo("first");
  }

  @Test
  void manyThreadsEachGetTheirOwnOutcome() throws Exception {
    GroupCommit<String, String> group =
        new GroupCommit<>(
            2,
            8,
            s -> 1,
            s -> s,
            batch -> {
              batch.forEach(e -> e.succeed(e.input()));
              return null;
            });
    List<Future<Boolean>> results = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      int thread = t;
      results.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 500; i++) {
                  String mine = thread + ":" + i;
                  if (!group.submit(mine).equals(mine)) {
                    return false;
                  }
                }
                return true;
              }));
    }
    for (Future<Boolean> r : results) {
      assertThat(r.get(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void theNextBatchIsWrittenWhileThePreviousOneFinishes() throws Exception {
    CountDownLatch flushing = new CountDownLatch(1);
    CountDownLatch releaseFlush = new CountDownLatch(1);
    GroupCommit<String, String> group =
        simple(
            batch -> {
              batches.add(batch.stream().map(GroupCommit.Entry::input).toList());
              if (!batch.get(0).input().equals("slow")) {
                batch.forEach(e -> e.succeed("fast"));
                return null;
              }
              return () -> {
                flushing.countDown();
                await(releaseFlush);
                batch.forEach(e -> e.succeed("slow done"));
              };
            });
    Future<String> slow = pool.submit(() -> group.submit("slow"));
    assertThat(flushing.await(5, TimeUnit.SECONDS)).isTrue();
    // the slow batch holds no slot while it finishes: another request goes through meanwhile
    assertThat(pool.submit(() -> group.submit("quick")).get(5, TimeUnit.SECONDS)).isEqualTo("fast");
    assertThat(slow.isDone()).isFalse();
    releaseFlush.countDown();
    assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow done");
  }

  @Test
  void aFailedFinishFailsTheBatchEvenAfterItsWrite() {
    GroupCommit<String, String> group =
        simple(
            batch ->
                () -> {
                  throw new IllegalStateException("flush failed");
                });
    assertThatThrownBy(() -> group.submit("x")).hasMessage("flush failed");
  }

  @Test
  void anErrorInTheWriterReachesEveryWaiter() {
    GroupCommit<String, String> group =
        simple(
            batch -> {
              throw new AssertionError("boom");
            });
    assertThatThrownBy(() -> group.submit("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("boom");
    // and the group still works afterwards
    assertThatThrownBy(() -> group.submit("y")).isInstanceOf(IllegalStateException.class);
  }

  /** One batch at a time, up to ten requests, no keys. */
  private static GroupCommit<String, String> simple(GroupCommit.Writer<String, String> writer) {
    return new GroupCommit<>(1, 10, s -> 1, s -> null, writer);
  }

  private static int queued(GroupCommit<?, ?> group) {
    return group.queued();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(2);
    }
  }
}
