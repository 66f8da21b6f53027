package dev.spool.dashboard;

import dev.spool.support.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Base of the dashboard's browser tests: one headless Chromium per class ({@link Browser}), a
 * signed-out page before each test, and the page's state and a screenshot when a test fails.
 */
abstract class BrowserTest extends IntegrationTest {

  static ChromeDriver driver;

  @RegisterExtension
  final TestWatcher report =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          System.err.println(
              "Dashboard page when the test failed:\n" + Browser.diagnostics(driver));
          Browser.screenshot(driver, "failed-" + context.getDisplayName().replaceAll("\\W", ""));
        }
      };

  WebDriverWait wait;

  @BeforeAll
  static void startBrowser() {
    driver = Browser.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
      driver = null;
    }
  }

  @BeforeEach
  void freshSession() {
    wait = Browser.waiting(driver);
    driver.get(api.base() + "/dashboard/");
    driver.manage().deleteAllCookies();
  }
}
