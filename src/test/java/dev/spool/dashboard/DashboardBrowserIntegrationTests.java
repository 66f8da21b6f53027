package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.TestApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real headless Chromium against a running Spool: every change below is made
 * through the public API while the page is open, and must show up without a reload.
 */
class DashboardBrowserIntegrationTests extends BrowserTest {

  @Test
  void signingInShowsTheSpaceWithLiveCountsAndKeepsTheKeyOutOfTheBrowser() {
    TestApi.TestSpace space = api.newSpace();
    api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"}]");
    signIn(space.key());

    waitForCount(space.id(), "pending", "2");
    api.createJob(space, "c");
    waitForCount(space.id(), "pending", "3");
    Browser.screenshot(driver, "spaces");

    String stored =
        (String)
            driver.executeScript(
                "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"
                    + " + document.cookie + document.documentElement.outerHTML");
    assertThat(stored).doesNotContain(space.key());
    assertThat(driver.manage().getCookieNamed(DashboardSessions.COOKIE).isHttpOnly()).isTrue();
  }

  @Test
  void jobsAppearAndChangeStatusWithoutAReload() {
    TestApi.TestSpace space = api.newSpace();
    String first = api.createJob(space, "resize");
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/spaces/" + space.id());
    wait.until(d -> d.findElement(By.cssSelector("tr[data-job='" + first + "']")));
    driver.executeScript("window.__marker = 'same page'");

    String second = api.createJob(space, "encode");
    wait.until(d -> d.findElement(By.cssSelector("tr[data-job='" + second + "']")));
    JsonNode polled =
        api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", space.key(), "{\"count\":2}")
            .json();
    for (JsonNode job : polled.get("jobs")) {
      api.post("/api/v1/jobs/" + job.get("id").asString() + "/ack", space.key(), null, Map.of());
    }
    waitForRowStatus(first, "running");
    waitForRowStatus(second, "running");
    api.post(
        "/api/v1/jobs/" + first + "/progress",
        space.key(),
        "{\"percent\":60,\"message\":\"page 3 of 5\"}");
    wait.until(
        d ->
            d.findElement(By.cssSelector("tr[data-job='" + first + "'] .progress"))
                .getText()
                .contains("60%"));
    api.post("/api/v1/jobs/" + second + "/complete", space.key(), "{\"result\":{\"ok\":true}}");
    waitForRowStatus(second, "completed");
    String third = api.createJob(space, "thumbnail");
    waitForRowStatus(third, "pending");
    assertThat(driver.executeScript("return window.__marker")).isEqualTo("same page");
    Browser.screenshot(driver, "jobs");
    driver.manage().window().setSize(new Dimension(390, 844));
    try {
      Browser.screenshot(driver, "jobs-phone");
      Object overflow =
          driver.executeScript(
              "return document.documentElement.scrollWidth > window.innerWidth + 1");
      assertThat(overflow).as("the page fits a phone's width").isEqualTo(false);
    } finally {
      driver.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  @Test
  void aJobPageShowsProgressAndLogLinesAsTheWorkerSendsThem() {
    TestApi.TestSpace space = api.newSpace();
    String id =
        api.createJobs(space, "{\"name\":\"report\",\"payload\":{\"month\":\"<b>2026-11</b>\"}}")
            .get(0);
    api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", space.key(), "{}");
    api.post("/api/v1/jobs/" + id + "/ack", space.key(), null, Map.of());
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/jobs/" + id);
    wait.until(d -> d.findElement(By.id("tab-overview")).getText().contains("<b>2026-11</b>"));

    progress(space, id, 40, "{\"fetch\":{\"percent\":100,\"message\":\"done\"}}");
    waitForBar("Overall progress", "40");
    progress(
        space,
        id,
        75,
        "{\"fetch\":{\"percent\":100,\"message\":\"done\"},\"render\":{\"percent\":50}}");
    waitForBar("Overall progress", "75");
    waitForBar("render", "50");
    Browser.screenshot(driver, "job");

    logs(space, id, "first line");
    driver.findElement(By.id("tab-l")).click();
    wait.until(d -> d.findElement(By.id("log-lines")).getText().contains("first line"));
    logs(space, id, "second line");
    wait.until(d -> d.findElement(By.id("log-lines")).getText().contains("second line"));
    Browser.screenshot(driver, "job-logs");
  }

  @Test
  void aJobCanBeKilledFromItsPage() {
    TestApi.TestSpace space = api.newSpace();
    String id = api.createJob(space, "long");
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/jobs/" + id);
    WebElement reason = wait.until(d -> d.findElement(By.id("kill-reason")));
    reason.clear();
    reason.sendKeys("stuck upstream");
    driver.findElement(By.id("kill")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();

    wait.until(d -> d.findElement(By.cssSelector("h1 .badge")).getText().equals("killed"));
    JsonNode job = api.get("/api/v1/jobs/" + id, space.key()).json();
    assertThat(job.get("status").asString()).isEqualTo("killed");
    assertThat(job.get("result").get("reason").asString()).isEqualTo("stuck upstream");
  }

  @Test
  void aSpaceBoundKeyCannotOpenAnotherSpace() {
    TestApi.TestSpace mine = api.newSpace();
    TestApi.TestSpace other = api.newSpace();
    String otherJob = api.createJob(other, "secret");
    signIn(api.newKey(mine.id(), List.of("jobs:read")));

    driver.get(api.base() + "/dashboard/#/spaces/" + other.id());
    wait.until(
        d ->
            d.findElement(By.cssSelector("#view [role=alert]"))
                .getText()
                .contains("cannot access"));
    driver.get(api.base() + "/dashboard/#/jobs/" + otherJob);
    wait.until(
        d ->
            d.findElement(By.cssSelector("#view [role=alert]"))
                .getText()
                .contains("cannot access"));
    Object status =
        driver.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "fetch('/dashboard/api/spaces/"
                + other.id()
                + "/jobs').then(r => done(r.status));");
    assertThat(((Number) status).intValue()).isEqualTo(403);
    assertThat(driver.findElements(By.id("kill"))).isEmpty();
  }

  private void signIn(String key) {
    driver.get(api.base() + "/dashboard/");
    WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    input.sendKeys(key);
    driver.findElement(By.id("sign-in-button")).click();
    // the page re-renders as it signs in: an element found a moment earlier may be gone (Chromium
    // then answers "Node … does not belong to the document"), so look again until it shows
    wait.ignoring(WebDriverException.class)
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("who")));
  }

  private void waitForCount(String spaceId, String status, String value) {
    By count = By.cssSelector("[data-space='" + spaceId + "'] [data-count='" + status + "'] dd");
    wait.until(d -> d.findElement(count).getText().equals(value));
  }

  private void waitForRowStatus(String jobId, String status) {
    wait.until(
        d ->
            status.equals(
                d.findElement(By.cssSelector("tr[data-job='" + jobId + "']"))
                    .getAttribute("data-status")));
  }

  private void waitForBar(String labelStart, String value) {
    wait.until(
        d ->
            d.findElements(By.cssSelector("[role=progressbar]")).stream()
                .anyMatch(
                    b ->
                        b.getAttribute("aria-label").startsWith(labelStart)
                            && value.equals(b.getAttribute("aria-valuenow"))));
  }

  private void progress(TestApi.TestSpace space, String id, int percent, String sub) {
    TestApi.Response r =
        api.post(
            "/api/v1/jobs/" + id + "/progress",
            space.key(),
            "{\"percent\":" + percent + ",\"message\":\"working\",\"subProgress\":" + sub + "}");
    assertThat(r.status()).isEqualTo(200);
  }

  private void logs(TestApi.TestSpace space, String id, String message) {
    TestApi.Response r =
        api.post(
            "/api/v1/jobs/" + id + "/logs",
            space.key(),
            "{\"level\":\"info\",\"message\":\"" + message + "\"}\n",
            Map.of("Content-Type", "application/x-ndjson"));
    assertThat(r.status()).isEqualTo(200);
  }
}
