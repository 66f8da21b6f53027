package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.SpoolApplication;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * First start and restart, each on a database of its own: Spool is started (and stopped) here as a
 * whole application, twice on the same database, the way an operator would.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapIntegrationTests {

  static final Pattern ADMIN_KEY = Pattern.compile("Admin key \\(shown once\\): (emit_\\S+)");
  static final Pattern SPACE = Pattern.compile("Space 'default': (\\S+)");
  static final Pattern WORKER_KEY =
      Pattern.compile("Producer\\+worker key for 'default' \\(shown once\\): (emit_\\S+)");

  TestDatabase server = TestDatabase.get();
  String database;
  String url;

  @BeforeEach
  void freshDatabase() throws Exception {
    database = "spool_boot_" + System.nanoTime();
    execute("CREATE DATABASE " + database);
    url = server.url.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
  }

  @AfterEach
  void dropDatabase() throws Exception {
    execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  void execute(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(server.url, server.user, server.password);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  ConfigurableApplicationContext start(String adminKey) {
    // arguments, not default properties: they must win over application.yml, as the
    // environment does for an operator
    return new SpringApplicationBuilder(SpoolApplication.class)
        .run(
            "--server.port=0",
            "--management.server.port=0",
            "--spring.datasource.url=" + url,
            "--spring.datasource.username=" + server.user,
            "--spring.datasource.password=" + server.password,
            "--spring.datasource.hikari.maximum-pool-size=4",
            "--spool.admin-key=" + adminKey);
  }

  static TestApi api(ConfigurableApplicationContext context, String adminKey) {
    String port = context.getEnvironment().getProperty("local.server.port");
    return new TestApi("http://127.0.0.1:" + port, adminKey);
  }

  static String find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    assertThat(m.find()).as("log shows " + pattern).isTrue();
    return m.group(1);
  }

  JdbcClient jdbc() {
    return JdbcClient.create(new DriverManagerDataSource(url, server.user, server.password));
  }

  @Test
  void theFirstStartPrintsAnAdminKeyAndADefaultSpaceWithAKeyAndARestartKeepsEverything(
      CapturedOutput output) {
    String adminKey;
    String spaceId;
    String workerKey;
    List<String> jobIds;
    try (ConfigurableApplicationContext first = start("")) {
      adminKey = find(ADMIN_KEY, output.getAll());
      spaceId = find(SPACE, output.getAll());
      workerKey = find(WORKER_KEY, output.getAll());
      TestApi api = api(first, adminKey);

      JsonSpace space = JsonSpace.of(api.get("/api/v1/spaces/" + spaceId, adminKey));
      assertThat(space.name).isEqualTo("default");

      Response keys = api.get("/api/v1/spaces/" + spaceId + "/keys", adminKey);
      assertThat(keys.body()).contains("default producer+worker").doesNotContain(workerKey);

      TestApi.TestSpace asWorker = new TestApi.TestSpace(spaceId, workerKey, space.publicKey);
      jobIds = api.createJobs(asWorker, CreateSeed.ARRAY);
      assertThat(api.get("/api/v1/jobs/" + jobIds.get(0), workerKey).status()).isEqualTo(200);
    }
    int printed = output.getAll().length();

    // A restart (even with SPOOL_ADMIN_KEY now set) creates nothing and prints no key.
    try (ConfigurableApplicationContext second =
        start("emit_a-later-admin-key-that-must-be-ignored")) {
      String later = output.getAll().substring(printed);
      assertThat(later).doesNotContain("Spool first start").doesNotContain("shown once");
      TestApi api = api(second, adminKey);
      assertThat(api.get("/api/v1/spaces", "emit_a-later-admin-key-that-must-be-ignored").status())
          .isEqualTo(401);
      Response spaces = api.get("/api/v1/spaces", adminKey);
      assertThat(spaces.status()).isEqualTo(200);
      assertThat(spaces.json().size()).isEqualTo(1);
      for (String id : jobIds) {
        Response job = api.get("/api/v1/jobs/" + id, workerKey);
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.json().get("status").asString()).isEqualTo("pending");
      }
    }
    long keys = jdbc().sql("SELECT count(*) FROM api_keys").query(Long.class).single();
    assertThat(keys).isEqualTo(3); // admin, the default space's public key, its worker key
  }

  @Test
  void theWorkerKeyOfTheDefaultSpaceProducesAndWorksButIsNoAdmin(CapturedOutput output) {
    String configured = "emit_configured-admin-key-0123456789abcdefgh";
    try (ConfigurableApplicationContext context = start(configured)) {
      assertThat(output.getAll())
          .contains("Admin key: from SPOOL_ADMIN_KEY")
          .doesNotContain(configured);
      String workerKey = find(WORKER_KEY, output.getAll());
      TestApi api = api(context, configured);
      assertThat(api.get("/api/v1/spaces", configured).status()).isEqualTo(200);
      assertThat(api.get("/api/v1/spaces", workerKey).status()).isEqualTo(403);
      List<String> scopes =
          jdbc()
              .sql("SELECT unnest(scopes) FROM api_keys WHERE key_hash = :h")
              .param("h", ApiKeys.hash(workerKey))
              .query(String.class)
              .list();
      assertThat(scopes)
          .containsExactlyInAnyOrder(
              "jobs:create",
              "jobs:ack",
              "jobs:progress",
              "jobs:event",
              "jobs:complete",
              "jobs:fail",
              "jobs:keepalive",
              "jobs:read",
              "jobs:poll",
              "jobs:kill");
    }
  }

  @Test
  void anAdminKeyWithoutTheKeyPrefixStopsTheFirstStart() {
    assertThatThrownBy(() -> start("not-a-spool-key-0123456789abcdef").close())
        .hasStackTraceContaining("SPOOL_ADMIN_KEY must start with 'emit_'");
    long keys = jdbc().sql("SELECT count(*) FROM api_keys").query(Long.class).single();
    assertThat(keys).isZero();
  }

  /** The fields of a space the tests read. */
  record JsonSpace(String name, String publicKey) {
    static JsonSpace of(Response r) {
      TestApi.require(r, 200);
      return new JsonSpace(r.json().get("name").asString(), r.json().get("publicKey").asString());
    }
  }

  /** The seed page's array body (a copy: the job package's tests keep theirs package-private). */
  static final class CreateSeed {
    static final String ARRAY =
        """
        [
          {"name": "process-video", "payload": {"url": "s3://bucket/video.mp4", "format": "720p"},
           "maxRetries": 5, "timeoutSeconds": 600,
           "callbackUrl": "https://example.com/webhooks/jobs",
           "callbackHeaders": {"Authorization": "Bearer your-secret"}},
          {"name": "generate-thumbnail", "payload": {"url": "s3://bucket/video.mp4", "size": "small"}}
        ]""";
  }
}
