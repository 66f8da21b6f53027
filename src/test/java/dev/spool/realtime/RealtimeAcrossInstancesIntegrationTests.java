package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.SpoolApplication;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestDatabase;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Two Spool instances on one database: subscribers of A see what is produced through B. */
class RealtimeAcrossInstancesIntegrationTests extends IntegrationTest {

  static ConfigurableApplicationContext instanceB;
  static TestApi apiB;

  @BeforeAll
  static void startInstanceB() {
    TestDatabase db = TestDatabase.get();
    instanceB =
        new SpringApplicationBuilder(SpoolApplication.class)
            .run(
                "--server.port=0",
                "--management.server.port=0",
                "--spring.datasource.url=" + db.url,
                "--spring.datasource.username=" + db.user,
                "--spring.datasource.password=" + db.password,
                "--spool.admin-key=" + ADMIN_KEY,
                TestDatabase.distributedArg());
    apiB =
        new TestApi(
            "http://127.0.0.1:" + instanceB.getEnvironment().getProperty("local.server.port"),
            ADMIN_KEY);
  }

  @AfterAll
  static void stopInstanceB() {
    if (instanceB != null) {
      instanceB.close();
    }
  }

  @Test
  void aSpaceStreamOnOneInstanceSeesEventsProducedThroughAnotherInOrderWithGapFreeSeq()
      throws Exception {
    TestApi.TestSpace space = apiB.newSpace();
    WorkerCalls worker = WorkerCalls.admin(apiB);
    WsClient stream =
        WsClient.open(
            "ws://127.0.0.1:" + port + "/api/v1/realtime/spaces/" + space.id(),
            Map.of("x-api-key", space.key()));
    long seq = stream.next().get("seq").asLong();

    String followed = apiB.createJob(space, "followed");
    WsClient follower =
        WsClient.open(
            "ws://127.0.0.1:" + port + "/api/v1/realtime/" + followed + "?token=" + space.key(),
            Map.of());
    assertThat(follower.next().get("type").asString()).isEqualTo("init");

    // four producers on instance B, committing concurrently
    int producers = 4;
    int perProducer = 10;
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    List<Future<List<String>>> made = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      made.add(
          pool.submit(
              () -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perProducer; i++) {
                  String id = apiB.createJob(space, "job");
                  worker.start(id);
                  worker.completeWith(id, "{\"n\":" + i + "}");
                  ids.add(id);
                }
                return ids;
              }));
    }
    List<String> jobs = new ArrayList<>();
    for (Future<List<String>> f : made) {
      jobs.addAll(f.get());
    }
    pool.shutdown();
    worker.start(followed);
    worker.progress(followed, 100, "done");
    worker.completeWith(followed, "true");
    // committed last, so published last: a frame sent twice would push it further back
    String marker = apiB.createJob(space, "marker");

    int expected = 1 + jobs.size() * 4 + 4;
    List<JsonNode> frames = stream.next(expected);
    JsonNode last = stream.next();
    assertThat(last.get("jobId").asString()).isEqualTo(marker);
    assertThat(last.get("seq").asLong()).isEqualTo(seq + expected + 1);
    Map<String, List<String>> perJob = new HashMap<>();
    JsonNode lastCounts = null;
    for (int i = 0; i < frames.size(); i++) {
      JsonNode f = frames.get(i);
      assertThat(f.get("seq").asLong()).isEqualTo(seq + 1 + i);
      perJob
          .computeIfAbsent(f.get("jobId").asString(), k -> new ArrayList<>())
          .add(f.get("type").asString());
      if (f.has("counts")) {
        lastCounts = f.get("counts");
      }
    }
    for (String job : jobs) {
      assertThat(perJob.get(job)).containsExactly("created", "delivered", "acked", "completed");
    }
    assertThat(perJob.get(followed))
        .containsExactly("created", "delivered", "acked", "progress", "completed");
    assertThat(lastCounts.get("completed").asLong()).isEqualTo(jobs.size() + 1);
    assertThat(lastCounts.get("pending").asLong()).isZero();
    assertThat(lastCounts.get("running").asLong()).isZero();

    assertThat(follower.next(4))
        .extracting(f -> f.get("type").asString())
        .containsExactly("delivered", "acked", "progress", "completed");
    assertThat(follower.closeCode()).isEqualTo(1000);
    stream.close();
  }
}
