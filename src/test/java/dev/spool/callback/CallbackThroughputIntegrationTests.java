package dev.spool.callback;

import dev.spool.support.TerminalTransitions;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a check: callbacks per second from one instance to a receiver on 127.0.0.1. Runs
 * only with {@code -Dspool.bench=true} (see bench/callbacks/run.sh); {@code -Dspool.bench.jobs=N}
 * sets the volume. Prints one line per round.
 */
@EnabledIfSystemProperty(named = "spool.bench", matches = "true")
class CallbackThroughputIntegrationTests extends CallbackTest {

  @Test
  void measureCallbacksPerSecondToALocalReceiver() throws Exception {
    int jobs = Integer.getInteger("spool.bench.jobs", 2000);
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      for (int round = 1; round <= 3; round++) {
        List<String> ids = new ArrayList<>();
        for (int offset = 0; offset < jobs; offset += 1000) {
          List<Map<String, Object>> batch = new ArrayList<>();
          for (int i = offset; i < Math.min(jobs, offset + 1000); i++) {
            batch.add(Map.of("name", "bench", "callbackUrl", receiver.url("/bench")));
          }
          ids.addAll(api.createJobs(space, TestApi.JSON.writeValueAsString(batch)));
        }
        int before = receiver.all().size();
        long start = System.nanoTime();
        TerminalTransitions.complete(jdbc, "{\"ok\":true}", ids.toArray(String[]::new));
        long end = start + Duration.ofMinutes(5).toNanos();
        while (receiver.all().size() - before < jobs && System.nanoTime() < end) {
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
