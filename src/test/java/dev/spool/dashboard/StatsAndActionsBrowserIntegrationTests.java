package dev.spool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.stats.StatsRollup;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;

/** Charts, names, search, retry and bulk actions of the dashboard in a real headless Chromium. */
class StatsAndActionsBrowserIntegrationTests extends BrowserTest {

  @Autowired StatsRollup rollup;

  private TestSpace space;
  private WorkerCalls worker;

  @BeforeEach
  void namedSpace() {
    TestApi.Response created =
        api.post("/api/v1/spaces", api.adminKey(), "{\"name\":\"Invoices\"}");
    TestApi.require(created, 201);
    String id = created.json().get("id").asString();
    String key = api.newKey(id, List.of("jobs:create", "jobs:worker", "jobs:kill"));
    space = new TestSpace(id, key, created.json().get("publicKey").asString());
    worker = new WorkerCalls(api, space);
  }

  @Test
  void theSpacePageChartsItsJobsAndShowsItsName() {
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"a\"}]");
    worker.start(ids.get(0));
    worker.complete(ids.get(0));
    rollup.runNow();
    signIn(space.key());

    driver.get(api.base() + "/dashboard/#/spaces/" + space.id());

    wait.until(d -> "3".equals(d.findElement(By.id("chart-summary")).getAttribute("data-created")));
    assertThat(driver.findElement(By.id("chart-summary")).getAttribute("data-completed"))
        .isEqualTo("1");
    for (String chart : List.of("chart-throughput", "chart-backlog", "chart-wait")) {
      WebElement figure = driver.findElement(By.id(chart));
      assertThat(figure.findElements(By.tagName("canvas"))).isNotEmpty();
      assertThat(Integer.parseInt(figure.getAttribute("data-points"))).isGreaterThanOrEqualTo(60);
    }
    assertThat(driver.findElement(By.id("crumbs")).getText()).contains("Invoices");
    assertThat(driver.findElement(By.cssSelector("#view h1")).getText())
        .contains("Invoices")
        .contains(space.id());
    Browser.screenshot(driver, "charts");
  }

  @Test
  void theSearchBoxOpensAJobById() {
    api.createJob(space, "other");
    String id = api.createJob(space, "wanted");
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/spaces/" + space.id());

    WebElement find = wait.until(d -> d.findElement(By.id("find")));
    find.sendKeys(id);
    driver.findElement(By.id("find-go")).click();

    wait.until(d -> d.getCurrentUrl().endsWith("#/jobs/" + id));
    wait.until(d -> d.findElement(By.cssSelector("#view h1")).getText().startsWith("Job wanted"));
    assertThat(driver.findElement(By.id("crumbs")).getText()).contains("Invoices");
  }

  @Test
  void typingANamePrefixListsExactlyTheJobsWhoseNameStartsWithItNewestFirst() {
    List<String> ids =
        api.createJobs(
            space,
            "[{\"name\":\"process-a\"},{\"name\":\"proc\"},{\"name\":\"other\"},"
                + "{\"name\":\"xproc\"},{\"name\":\"processor\"},{\"name\":\"pro\"}]");
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/spaces/" + space.id());

    WebElement find = wait.until(d -> d.findElement(By.id("find")));
    find.sendKeys("proc");
    driver.findElement(By.id("find-go")).click();

    List<String> expected =
        List.of(ids.get(0), ids.get(1), ids.get(4)).stream()
            .sorted(java.util.Comparator.reverseOrder())
            .toList();
    wait.until(d -> rowIds().equals(expected));
    assertThat(driver.getCurrentUrl()).endsWith("?prefix=proc");
    assertThat(driver.findElement(By.id("prefix-note")).getText()).contains("proc");

    // frames arrive in order: once the later match shows, the unrelated job's frame was handled
    api.createJob(space, "unrelated");
    String later = api.createJob(space, "proc-later");
    wait.until(d -> !rowIds().isEmpty() && rowIds().get(0).equals(later));
    assertThat(rowIds()).hasSize(4).containsAll(expected);
    Browser.screenshot(driver, "name-prefix");
  }

  private List<String> rowIds() {
    return driver.findElements(By.cssSelector("#jobs tbody tr[data-job]")).stream()
        .map(tr -> tr.getAttribute("data-job"))
        .toList();
  }

  @Test
  void retryOnADeadJobCreatesANewJobThatShowsInTheList() {
    String dead = api.createJobs(space, "{\"name\":\"flaky\",\"maxRetries\":0}").get(0);
    String delivery = worker.start(dead);
    TestApi.require(worker.fail(dead, "{\"error\":\"boom\"}", delivery), 200);
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/jobs/" + dead);

    wait.until(ExpectedConditions.elementToBeClickable(By.id("retry"))).click();

    wait.until(d -> !d.getCurrentUrl().endsWith(dead));
    String newId = driver.getCurrentUrl().replaceAll(".*#/jobs/", "");
    wait.until(d -> d.findElement(By.cssSelector("h1 .badge")).getText().equals("pending"));
    assertThat(worker.job(newId).get("retriedFrom").asString()).isEqualTo(dead);
    driver.get(api.base() + "/dashboard/#/spaces/" + space.id());
    wait.until(d -> !d.findElements(By.cssSelector("tr[data-job='" + newId + "']")).isEmpty());
  }

  @Test
  void aBulkKillAsksWithTheCountAndKillsExactlyTheJobsOfItsFilter() {
    List<String> xs = api.createJobs(space, "[{\"name\":\"x\"},{\"name\":\"x\"},{\"name\":\"x\"}]");
    List<String> ys = api.createJobs(space, "[{\"name\":\"y\"},{\"name\":\"y\"}]");
    String running = api.createJob(space, "x");
    worker.start(running);
    signIn(space.key());
    driver.get(api.base() + "/dashboard/#/spaces/" + space.id() + "?status=pending&name=x");

    wait.until(ExpectedConditions.elementToBeClickable(By.id("bulk-kill"))).click();
    Alert first = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(first.getText()).isEqualTo("Kill 3 jobs of this filter?");
    first.dismiss();
    assertThat(xs.stream().map(worker::status)).containsOnly("pending");
    driver.findElement(By.id("bulk-kill")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();

    for (String x : xs) {
      wait.until(d -> "killed".equals(worker.status(x)));
    }
    assertThat(ys.stream().map(worker::status)).containsOnly("pending");
    assertThat(worker.status(running)).isEqualTo("running");
    wait.until(d -> d.findElement(By.id("status-line")).getText().equals("Killed 3 jobs"));
  }

  @Test
  void anAdminSeesAThroughputSparklinePerSpace() {
    api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"a\"}]");
    rollup.runNow();
    signIn(api.adminKey());

    By spark = By.cssSelector("[data-space='" + space.id() + "'] .spark");
    // sparklines are drawn as their card scrolls into view; the test database has many spaces
    WebElement box = wait.until(d -> d.findElement(spark));
    driver.executeScript("arguments[0].scrollIntoView()", box);
    wait.until(d -> "2".equals(d.findElement(spark).getAttribute("data-created")));
    assertThat(driver.findElement(spark).findElements(By.tagName("canvas"))).isNotEmpty();
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
}
