package dev.spool.support;

import static org.awaitility.Awaitility.await;

import dev.spool.database.PgNotifications;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Base of every {@code …IntegrationTests}: the whole application on a random port against real
 * PostgreSQL, driven over real HTTP through {@link #api}. Tests create their own space with {@link
 * TestApi#newSpace()} so they never see each other's jobs, and put jobs in a state with {@link
 * #jobs} or drive them through the worker API with {@link WorkerCalls}. Outgoing webhooks resolve
 * names through {@link MadeUpDns} only. Time is a {@link MovableClock} ({@link #clock}): a test
 * moves it instead of sleeping, and it is back on the system clock after every test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({MadeUpDns.class, TestClock.class})
// Every test class signs in, guesses keys and opens streams from 127.0.0.1 in one shared context:
// the per-address limits are far above what the suite does, so only the tests that set their own
// (AddressThrottleIntegrationTests) meet them.
@TestPropertySource(
    properties = {
      "spool.abuse.failed-auth-per-second=1000",
      "spool.abuse.upgrades-per-second=1000",
      "spool.abuse.sign-ins-per-second=1000"
    })
public abstract class IntegrationTest {

  /** The admin key every test context bootstraps with (first start on an empty database). */
  public static final String ADMIN_KEY = "emit_test-admin-key-0123456789abcdefghijklmnop";

  @LocalServerPort protected int port;

  @Autowired protected JdbcClient jdbc;

  @Autowired protected PlatformTransactionManager transactionManager;

  @Autowired protected MovableClock clock;

  protected TestApi api;

  /** Inserts jobs directly in any state ({@link JobFactory}). */
  protected JobFactory jobs;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    TestDatabase db = TestDatabase.get();
    registry.add("spring.datasource.url", () -> db.url);
    registry.add("spring.datasource.username", () -> db.user);
    registry.add("spring.datasource.password", () -> db.password);
    registry.add("spool.admin-key", () -> ADMIN_KEY);
    if (TestDatabase.citus()) {
      registry.add("spool.distributed", () -> "citus");
    }
  }

  @Autowired private ObjectProvider<PgNotifications> notifications;

  @BeforeEach
  void setUpApi() {
    api = new TestApi("http://127.0.0.1:" + port, ADMIN_KEY);
    jobs = new JobFactory(jdbc, transactionManager);
    // A cached context that was paused for another test class's resumes with the web server
    // already up while its LISTEN connection is still being opened: whatever commits before it
    // listens is never announced (no realtime frame, no long-poll wake). Start once it listens.
    PgNotifications bus = notifications.getIfAvailable();
    if (bus != null) {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(10))
          .until(bus::isConnected);
    }
  }

  @AfterEach
  void resetClock() {
    clock.reset();
  }
}
