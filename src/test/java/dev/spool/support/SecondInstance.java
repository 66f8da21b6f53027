package dev.spool.support;

import dev.spool.SpoolApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Another Spool instance on the test database: a second application context on its own port, for
 * tests that prove behaviour across instances (exactly-once claiming, cross-instance wake-ups).
 * {@link #shared()} is started once per JVM and closed at exit; {@link #start()} gives one a test
 * may close itself.
 */
public final class SecondInstance implements AutoCloseable {

  private static volatile SecondInstance shared;

  private final ConfigurableApplicationContext context;

  private SecondInstance(ConfigurableApplicationContext context) {
    this.context = context;
  }

  public static SecondInstance shared() {
    if (shared == null) {
      synchronized (SecondInstance.class) {
        if (shared == null) {
          SecondInstance s = start();
          Runtime.getRuntime().addShutdownHook(new Thread(s::close));
          shared = s;
        }
      }
    }
    return shared;
  }

  /**
   * @param settings extra command-line settings, e.g. {@code --spool.worker.long-poll.recheck=5s}
   */
  public static SecondInstance start(String... settings) {
    TestDatabase db = TestDatabase.get();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--management.server.port=0",
                "--spring.datasource.url=" + db.url,
                "--spring.datasource.username=" + db.user,
                "--spring.datasource.password=" + db.password,
                "--spool.admin-key=" + IntegrationTest.ADMIN_KEY,
                // Spring's test context cache pauses the contexts no test is using, so their
                // dispatchers stand still; this instance lives outside the cache and is never
                // paused. Left on, its dispatcher would claim callbacks that tests in another
                // context expect to send with their own settings (allowed addresses, retries).
                "--spool.callbacks.enabled=false"));
    args.addAll(List.of(settings));
    // command-line arguments, because builder properties() are defaults that application.yml
    // would override
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(SpoolApplication.class, MadeUpDns.class)
            .run(args.toArray(String[]::new));
    return new SecondInstance(context);
  }

  public int port() {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  public TestApi api() {
    return new TestApi("http://127.0.0.1:" + port(), IntegrationTest.ADMIN_KEY);
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  @Override
  public void close() {
    if (context.isActive()) {
      context.close();
    }
  }
}
