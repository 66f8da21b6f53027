package dev.spool.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundLoopTests {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @Test
  void anErrorFromATurnIsCaughtReportedAndTheLoopGoesOn() {
    AtomicBoolean broken = new AtomicBoolean(true);
    AtomicInteger turns = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger stopped = new AtomicInteger();
    BackgroundLoop loop =
        new BackgroundLoop(
            "test-loop",
            Duration.ofMillis(10),
            new BackgroundLoop.Work() {
              @Override
              public boolean runOnce() {
                turns.incrementAndGet();
                if (broken.get()) {
                  throw new StackOverflowError("made up by the test");
                }
                return false;
              }

              @Override
              public void started() {
                started.incrementAndGet();
              }

              @Override
              public void stopped() {
                stopped.incrementAndGet();
              }
            });
    loop.start();
    try {
      assertThat(started).hasValue(1);
      await().atMost(LIMIT).until(() -> turns.get() >= 2);
      assertThat(loop.healthy()).isFalse();
      assertThat(loop.lastError()).contains("StackOverflowError").contains("made up by the test");

      broken.set(false);
      await().atMost(LIMIT).until(loop::healthy);
      int after = turns.get();
      await().atMost(LIMIT).until(() -> turns.get() > after);
      assertThat(loop.isRunning()).isTrue();
    } finally {
      loop.stop();
    }
    assertThat(stopped).hasValue(1);
    assertThat(loop.isRunning()).isFalse();
  }

  @Test
  void stoppingInterruptsAWaitingTurnWithoutCountingItAsAFailure() {
    AtomicBoolean waiting = new AtomicBoolean();
    BackgroundLoop loop =
        new BackgroundLoop(
            "waiting-loop",
            Duration.ofMillis(10),
            () -> {
              waiting.set(true);
              Thread.sleep(60_000);
              return true;
            });
    loop.start();
    await().atMost(LIMIT).untilTrue(waiting);
    loop.stop();
    assertThat(loop.lastFailure()).isNull();
    assertThat(loop.healthy()).isTrue();
  }

  @Test
  void aTurnThatOutlivesStopEndsWithItsThreadInsteadOfRunningBesideTheRestartedLoop()
      throws InterruptedException {
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    Set<Thread> threadsAfterRelease = ConcurrentHashMap.newKeySet();
    AtomicInteger turnsAfterRelease = new AtomicInteger();
    BackgroundLoop loop =
        new BackgroundLoop(
            "restarted-loop",
            Duration.ofMillis(10),
            () -> {
              if (first.compareAndSet(true, false)) {
                stuck.countDown();
                awaitSwallowingInterrupts(release); // a statement that ignores the interrupt
                return true; // more work: straight on to the next turn, if it still may
              }
              if (release.getCount() == 0) {
                threadsAfterRelease.add(Thread.currentThread());
                turnsAfterRelease.incrementAndGet();
              }
              return false;
            });
    loop.start();
    assertThat(stuck.await(20, TimeUnit.SECONDS)).isTrue();
    loop.stop(); // gives up waiting for the stuck turn after a while
    loop.start();
    release.countDown();
    try {
      await().atMost(LIMIT).until(() -> turnsAfterRelease.get() >= 10);
    } finally {
      loop.stop();
    }
    assertThat(threadsAfterRelease).as("threads that ran turns after the restart").hasSize(1);
  }

  private static void awaitSwallowingInterrupts(CountDownLatch latch) {
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException ignored) {
        // swallowed, as some drivers do
      }
    }
  }
}
