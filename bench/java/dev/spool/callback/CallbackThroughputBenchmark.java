package dev.spool.callback;

import dev.spool.job.JobStatus;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a check: callbacks per second from one instance to a receiver on 127.0.0.1, from
 * the moment N jobs with a callback become completed (one transaction) until the receiver has them
 * all. Compiled and run only by the {@code bench} Maven profile (bench/callbacks/run.sh); {@code
 * -Dspool.bench.jobs=N} sets the volume. Prints one line per round.
 */
class CallbackThroughputBenchmark extends CallbackTest {

  @Test
  void measureCallbacksPerSecondToALocalReceiver() throws Exception {
    int n = Integer.getInteger("spool.bench.jobs", 2000);
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      for (int round = 1; round <= 3; round++) {
        int before = receiver.all().size();
        long start = System.nanoTime();
        jobs.in(space)
            .name("bench")
            .status(JobStatus.COMPLETED)
            .result("{\"ok\":true}")
            .callback(receiver.url("/bench"))
            .insert(n);
        long end = start + Duration.ofMinutes(5).toNanos();
        while (receiver.all().size() - before < n && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "BENCH callbacks round %d: %d delivered in %.2f s = %.0f callbacks/s%n",
            round,
            receiver.all().size() - before,
            seconds,
            (receiver.all().size() - before) / seconds);
      }
    }
  }
}
