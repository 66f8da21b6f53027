package dev.spool.callback;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a check: the guarded sender alone (no database), 16 threads POSTing to a receiver
 * on 127.0.0.1. Separates HTTP cost from outbox bookkeeping. Compiled and run only by the {@code
 * bench} Maven profile (bench/callbacks/run.sh).
 */
class WebhookSenderBenchmark {

  @Test
  void measurePostsPerSecondWithoutTheDatabase() throws Exception {
    CallbackProperties props =
        new CallbackProperties(
            true,
            16,
            100,
            Duration.ofSeconds(2),
            Duration.ofMillis(20),
            Duration.ofMinutes(2),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            List.of(Duration.ofSeconds(1)),
            0.1,
            Duration.ofHours(1),
            List.of("127.0.0.0/8"),
            64,
            10,
            1,
            Duration.ofMinutes(1),
            4,
            100,
            8192);
    WebhookSender sender =
        new WebhookSender(props, SystemDefaultDnsResolver.INSTANCE, OwnPorts.none(), "bench");
    byte[] body = "{\"jobId\":\"bench\"}".getBytes(StandardCharsets.UTF_8);
    try (Receiver receiver = Receiver.start()) {
      for (int round = 1; round <= 3; round++) {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
          pool.execute(
              () -> {
                if (sender.post(receiver.url("/speed"), Map.of(), body).success()) {
                  ok.incrementAndGet();
                }
              });
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "BENCH sender only round %d: %d posts in %.2f s = %.0f posts/s%n",
            round, ok.get(), seconds, ok.get() / seconds);
      }
    } finally {
      sender.destroy();
    }
  }
}
