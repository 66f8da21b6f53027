package dev.spool.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (or Chrome) driven through chromedriver: no Selenium Manager, no downloads, a
 * fresh profile per browser, nothing that calls home. Both are found through {@code
 * SPOOL_TEST_CHROMIUM} / {@code SPOOL_TEST_CHROMEDRIVER} (or the system properties {@code
 * spool.test.chromium} / {@code spool.test.chromedriver}), else on the {@code PATH}. Where there is
 * none the browser tests are skipped with a message saying so, unless {@code
 * SPOOL_TEST_REQUIRE_BROWSER=true} (CI) makes that a failure. .ci/run installs Debian's chromium.
 */
final class Browser {

  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  private Browser() {}

  /** The executable named by the setting, else the first of the names found on the PATH. */
  static Path locate(String env, String property, String... names) {
    String configured = System.getProperty(property, System.getenv(env));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String path = System.getenv("PATH");
    for (String name : names) {
      for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  static ChromeDriver start() {
    Path chromium =
        locate(
            "SPOOL_TEST_CHROMIUM",
            "spool.test.chromium",
            "chromium",
            "chromium-browser",
            "google-chrome",
            "chrome");
    Path chromedriver =
        locate("SPOOL_TEST_CHROMEDRIVER", "spool.test.chromedriver", "chromedriver");
    if (chromium == null || chromedriver == null) {
      String missing =
          "no "
              + (chromium == null ? "Chromium/Chrome" : "chromedriver")
              + " on the PATH (or in SPOOL_TEST_CHROMIUM / SPOOL_TEST_CHROMEDRIVER): the dashboard"
              + " browser tests need both";
      if ("true".equals(System.getenv("SPOOL_TEST_REQUIRE_BROWSER"))) {
        throw new IllegalStateException(missing);
      }
      Assumptions.abort(missing + " — skipped");
    }
    // keep Selenium from looking for (or downloading) drivers and from reporting anything
    System.setProperty("webdriver.chrome.driver", chromedriver.toString());
    System.setProperty("SE_MANAGER_PATH", "/bin/false");
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty("SE_AVOID_STATS", "true");
    Path profile;
    try {
      profile = Files.createTempDirectory("spool-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toString());
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1280, 900));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  static WebDriverWait waiting(ChromeDriver driver) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    wait.pollingEvery(Duration.ofMillis(100));
    // live updates replace nodes while a condition reads them
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait;
  }

  /** What the page showed and logged, for a failed test's report. */
  static String diagnostics(ChromeDriver driver) {
    StringBuilder out = new StringBuilder("URL: ").append(driver.getCurrentUrl()).append('\n');
    try {
      out.append(driver.findElement(org.openqa.selenium.By.tagName("body")).getText()).append('\n');
      for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
        out.append("console: ").append(entry).append('\n');
      }
    } catch (RuntimeException e) {
      out.append("(no page: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }

  static void screenshot(ChromeDriver driver, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
