package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * {@code http_server_requests_seconds}, recorded by {@link HttpServerMetrics}: one series per
 * method, URI template, status, outcome and exception, with the latency buckets; long polls timed
 * to their answer; raw paths never become label values.
 */
class HttpServerMetricsIntegrationTests extends IntegrationTest {

  @LocalManagementPort int managementPort;

  @Autowired MeterRegistry registry;

  TestApi management;
  TestSpace space;

  @BeforeEach
  void setUp() {
    management = new TestApi("http://127.0.0.1:" + managementPort, null);
    space = api.newSpace();
  }

  @Test
  void requestsAreCountedByTemplateStatusAndOutcome() {
    double before = count("GET", "/api/v1/jobs/{jobId}", "404", "CLIENT_ERROR");
    String unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    assertThat(api.get("/api/v1/jobs/" + unknown, space.key()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/jobs/" + unknown, space.key()).status()).isEqualTo(404);
    String id = api.createJob(space, "metered");
    assertThat(api.get("/api/v1/jobs/" + id, space.key()).status()).isEqualTo(200);

    assertThat(count("GET", "/api/v1/jobs/{jobId}", "404", "CLIENT_ERROR")).isEqualTo(before + 2);
    assertThat(count("GET", "/api/v1/jobs/{jobId}", "200", "SUCCESS")).isPositive();
    String scrape = scrape();
    assertThat(scrape)
        .doesNotContain(unknown)
        .doesNotContain("http_server_requests_active")
        .containsPattern(
            "http_server_requests_seconds_bucket\\{[^}]*method=\"GET\"[^}]*status=\"404\""
                + "[^}]*uri=\"/api/v1/jobs/\\{jobId}\",le=\"0.005\"}");
  }

  @Test
  void aLongPollIsTimedToItsAnswer() {
    String poll = "/api/v1/spaces/{spaceId}/jobs/poll";
    double countBefore = count("POST", poll, "200", "SUCCESS");
    double sumBefore = sum("POST", poll, "200", "SUCCESS");
    Response r =
        api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", space.key(), "{\"waitSeconds\":1}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("jobs")).isEmpty();

    assertThat(count("POST", poll, "200", "SUCCESS")).isEqualTo(countBefore + 1);
    assertThat(sum("POST", poll, "200", "SUCCESS") - sumBefore).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void requestsRefusedBeforeAnyHandlerAreUnknownNotTheirPath() {
    assertThat(api.get("/api/v1/spaces/secret-looking-path", "emit_not-a-key").status())
        .isEqualTo(401);
    assertThat(scrape())
        .doesNotContain("secret-looking-path")
        .containsPattern(
            "http_server_requests_seconds_count\\{[^}]*status=\"401\"[^}]*uri=\"UNKNOWN\"");
  }

  @Test
  void requestsWithMadeUpMethodsAddAtMostAHandfulOfSeries() {
    int before = registry.find(HttpServerMetrics.METER).timers().size();
    Random random = new Random(13);
    for (int i = 0; i < 2000; i++) {
      String method = "M" + Integer.toString(random.nextInt(1 << 30), 36);
      HttpRequest request =
          api.builder("/api/v1/made-up/" + i, null)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      api.send(request);
    }
    int added = registry.find(HttpServerMetrics.METER).timers().size() - before;
    assertThat(added).isLessThanOrEqualTo(5);
    assertThat(scrape())
        .containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"OTHER\"");
  }

  private String scrape() {
    Response r = management.get("/actuator/prometheus", null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  private double count(String method, String uri, String status, String outcome) {
    return sample("_count", method, uri, status, outcome);
  }

  private double sum(String method, String uri, String status, String outcome) {
    return sample("_sum", method, uri, status, outcome);
  }

  /** The sample with exactly these labels (and no exception), or 0 when the series is absent. */
  private double sample(String suffix, String method, String uri, String status, String outcome) {
    Pattern p =
        Pattern.compile(
            "^http_server_requests_seconds"
                + suffix
                + "\\{application=\"spool\",error=\"none\",exception=\"none\",method=\""
                + method
                + "\",outcome=\""
                + outcome
                + "\",status=\""
                + status
                + "\",uri=\""
                + Pattern.quote(uri)
                + "\"} (\\S+)$",
            Pattern.MULTILINE);
    Matcher m = p.matcher(scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
