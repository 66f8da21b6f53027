package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The callback dispatcher and the space notifier find new work through their wake-ups alone: with a
 * poll interval of a minute (so no timed turn in the test's time), a completed job is called back
 * and a pending job pushed within seconds. On Citus a wake-up looks at the notified spaces only
 * ({@link NotifiedSpaces}); this shows that those are the right ones.
 */
@TestPropertySource(
    properties = {
      "spool.callbacks.allowed-cidrs=127.0.0.0/8",
      "spool.callbacks.connect-timeout=1s",
      "spool.callbacks.response-timeout=1s",
      "spool.callbacks.poll-interval=60s"
    })
class WakeUpIntegrationTests extends IntegrationTest {

  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  @Test
  void aWakeUpAloneDeliversTheCallbackAndThePush() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      TestApi.require(
          api.patch(
              "/api/v1/spaces/" + space.id(),
              api.adminKey(),
              TestApi.JSON.writeValueAsString(
                  Map.of("push", Map.of("url", receiver.url("/wake"))))),
          200);
      // the loops' first turn, at the context's start, looks at every space; the next timed
      // turn is a minute away, so what follows is found by wake-ups
      Thread.sleep(1_000);
      String id =
          api.createJobs(
                  space,
                  TestApi.JSON.writeValueAsString(
                      Map.of("name", "called-back", "callbackUrl", receiver.url("/hook"))))
              .get(0);
      Receiver.Request push = receiver.next(PROMPTLY);
      assertThat(push).as("the push for the pending job").isNotNull();
      assertThat(push.path()).isEqualTo("/wake");

      WorkerCalls worker = WorkerCalls.admin(api);
      worker.start(id);
      worker.complete(id);
      Receiver.Request hook = receiver.next(PROMPTLY);
      assertThat(hook).as("the callback of the completed job").isNotNull();
      assertThat(hook.path()).isEqualTo("/hook");
      assertThat(TestApi.JSON.readTree(hook.body()).get("jobId").asString()).isEqualTo(id);
    }
  }
}
