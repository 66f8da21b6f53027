package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.SpoolApplication;
import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.JobFactory;
import dev.spool.support.MadeUpDns;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Several Spool instances on one database, each a whole application context: an outbox row outlives
 * the instance that wrote it, and two live dispatchers never send one delivery twice.
 */
class CallbackInstancesIntegrationTests {

  /**
   * A database of their own: the contexts that other test classes leave cached are live dispatchers
   * too, and would send this class's deliveries.
   */
  private static String url;

  @BeforeAll
  static void createDatabase() throws Exception {
    TestDatabase db = TestDatabase.get();
    String name = "spool_instances_" + Long.toHexString(System.nanoTime());
    try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    url = db.url.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    TestDatabase db = TestDatabase.get();
    String name = url.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
    try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  static ConfigurableApplicationContext start(String... extra) {
    TestDatabase db = TestDatabase.get();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--management.server.port=0",
                "--spring.datasource.url=" + url,
                "--spring.datasource.username=" + db.user,
                "--spring.datasource.password=" + db.password,
                "--spool.admin-key=" + IntegrationTest.ADMIN_KEY,
                "--spool.callbacks.allowed-cidrs=127.0.0.0/8",
                "--spool.callbacks.poll-interval=200ms",
                "--spool.callbacks.retry-delays=100ms,200ms"));
    args.addAll(List.of(extra));
    return new SpringApplicationBuilder(SpoolApplication.class, MadeUpDns.class)
        .run(args.toArray(String[]::new));
  }

  static TestApi api(ConfigurableApplicationContext ctx) {
    return new TestApi(
        "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port"),
        IntegrationTest.ADMIN_KEY);
  }

  @Test
  void aDeliverySurvivesARestartBetweenTheJobsCompletionAndTheSend() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      String jobId;
      try (ConfigurableApplicationContext first = start("--spool.callbacks.enabled=false")) {
        TestApi api = api(first);
        TestSpace space = api.newSpace();
        jobId =
            JobFactory.of(first)
                .in(space)
                .name("restart")
                .status(JobStatus.COMPLETED)
                .result("{\"r\":1}")
                .callback(receiver.url("/restart"))
                .insert();
        Thread.sleep(500);
        assertThat(receiver.all()).as("the first instance does not send").isEmpty();
      }
      try (ConfigurableApplicationContext second = start()) {
        Receiver.Request r = receiver.next(Duration.ofSeconds(30));
        assertThat(r).as("the second instance sends what the first recorded").isNotNull();
        assertThat(TestApi.JSON.readTree(r.body()).get("jobId").asString()).isEqualTo(jobId);
      }
    }
  }

  @Test
  void twoInstancesDeliverEachOf500CallbacksExactlyOnce() throws Exception {
    int jobs = 500;
    try (Receiver receiver = Receiver.start();
        ConfigurableApplicationContext a = start("--spool.callbacks.senders=8");
        ConfigurableApplicationContext b = start("--spool.callbacks.senders=8")) {
      receiver.reply(); // every request: 200
      TestApi api = api(a);
      TestSpace space = api.newSpace();
      long start = System.nanoTime();
      List<String> ids =
          JobFactory.of(a)
              .in(space)
              .name("once")
              .status(JobStatus.COMPLETED)
              .callback(receiver.url("/once"))
              .insert(jobs);

      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (receiver.all().size() < jobs && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(1000); // anything sent twice would arrive by now
      Map<String, Integer> perJob = new HashMap<>();
      for (Receiver.Request r : receiver.all()) {
        JsonNode body = TestApi.JSON.readTree(r.body());
        perJob.merge(body.get("jobId").asString(), 1, Integer::sum);
      }
      assertThat(perJob.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(perJob.values()).allMatch(n -> n == 1);
      long byA = a.getBean(CallbackDispatcher.class).attempted();
      long byB = b.getBean(CallbackDispatcher.class).attempted();
      System.out.printf(
          "two instances: %d callbacks in %.2f s (%.0f/s), instance A sent %d, B sent %d%n",
          jobs, seconds, jobs / seconds, byA, byB);
      assertThat(byA).isPositive();
      assertThat(byB).isPositive();
      assertThat(byA + byB).isEqualTo(jobs);
      Long recorded =
          a.getBean(JdbcClient.class)
              .sql(
                  "SELECT count(*) FROM callback_attempts WHERE job_id = ANY (CAST(:ids AS text[]))")
              .param("ids", ids.toArray(String[]::new))
              .query(Long.class)
              .single();
      assertThat(recorded).isEqualTo(jobs);
    }
  }
}
