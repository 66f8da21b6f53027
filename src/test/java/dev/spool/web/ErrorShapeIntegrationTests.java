package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every error answers {@code {"error": ...}} (docs/api.md §1), also where no controller is
 * involved.
 */
class ErrorShapeIntegrationTests extends IntegrationTest {

  static void assertErrorShape(Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().get("error").isString()).isTrue();
    assertThat(r.body())
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("trace");
  }

  @Test
  void unknownRoutesAre404InTheErrorShape() {
    TestSpace space = api.newSpace();
    Response underApi = api.get("/api/v1/no-such-thing", space.key());
    assertErrorShape(underApi, 404);
    assertThat(underApi.error()).isEqualTo("Not found");
    assertErrorShape(api.get("/no-such-page", null), 404);
    assertErrorShape(api.get("/api/v2/jobs/x", null), 404);
    assertErrorShape(api.post("/api/v1/jobs", space.key(), "{}"), 404);
  }

  @Test
  void anUnknownRouteUnderTheApiStillNeedsAKey() {
    assertErrorShape(api.get("/api/v1/no-such-thing", null), 401);
  }

  @Test
  void aWrongMethodIs405InTheErrorShape() {
    TestSpace space = api.newSpace();
    Response r =
        api.send(
            api.builder("/api/v1/spaces/" + space.id() + "/jobs", space.key())
                .method("PUT", HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .build());
    assertErrorShape(r, 405);
  }

  @Test
  void hostileHeadersAndPathsNeverCauseA500() {
    TestSpace space = api.newSpace();
    String jobs = "/api/v1/spaces/" + space.id() + "/jobs";
    assertThat(api.get("/api/v1/jobs/%00", space.key()).status()).isIn(400, 404);
    assertThat(api.get("/api/v1/jobs/" + "A".repeat(5000), space.key()).status())
        .isIn(400, 404, 414);
    assertThat(api.get("/api/v1/jobs/%F0%9F%8E%AC", space.key()).status()).isEqualTo(404);
    assertErrorShape(api.get("/api/v1/jobs/x", "k".repeat(5000)), 401);
    assertErrorShape(api.get("/api/v1/jobs/x", "emit_' OR 1=1 --"), 401);
    Response idem =
        api.post(
            jobs,
            space.key(),
            "{\"name\":\"a\"}",
            Map.of(
                "Content-Type",
                "application/json",
                "Idempotency-Key",
                "order 42 / \"quoted\" & more"));
    assertThat(idem.status()).isEqualTo(201);
    Response emptyIdem =
        api.post(
            jobs,
            space.key(),
            "{\"name\":\"a\"}",
            Map.of("Content-Type", "application/json", "Idempotency-Key", ""));
    assertThat(emptyIdem.status()).isIn(201, 400);
  }
}
