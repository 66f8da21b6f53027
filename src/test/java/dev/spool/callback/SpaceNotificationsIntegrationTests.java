package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.callback.Receiver.Request;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SpaceNotificationsIntegrationTests extends CallbackTest {

  private TestApi.Response patch(TestSpace space, Object body) {
    return api.patch(
        "/api/v1/spaces/" + space.id(), api.adminKey(), TestApi.JSON.writeValueAsString(body));
  }

  @Test
  void patchSetsShowsAndTurnsOffPushAndSlack() {
    TestSpace space = api.newSpace();
    TestApi.Response set =
        patch(
            space,
            Map.of(
                "push",
                    Map.of(
                        "url",
                        "https://push.example/wake",
                        "headers",
                        Map.of("X-Key", "k"),
                        "names",
                        List.of("a", "b")),
                "slack",
                    Map.of(
                        "url",
                        "https://hooks.slack.example/T/B/x",
                        "events",
                        List.of("dead", "completed"))));
    assertThat(set.status()).isEqualTo(200);
    JsonNode json = set.json();
    assertThat(json.get("push").get("url").asString()).isEqualTo("https://push.example/wake");
    assertThat(json.get("push").get("headers").get("X-Key").asString()).isEqualTo("k");
    assertThat(json.get("push").get("names"))
        .extracting(JsonNode::asString)
        .containsExactly("a", "b");
    assertThat(json.get("slack").get("events"))
        .extracting(JsonNode::asString)
        .containsExactly("dead", "completed");

    TestApi.Response renamed = patch(space, Map.of("name", "renamed"));
    assertThat(renamed.json().get("push").isObject()).as("a field left out is unchanged").isTrue();

    TestApi.Response off =
        api.patch("/api/v1/spaces/" + space.id(), api.adminKey(), "{\"push\":null,\"slack\":null}");
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.json().get("push").isNull()).isTrue();
    assertThat(off.json().get("slack").isNull()).isTrue();
    assertThat(off.json().get("name").asString()).isEqualTo("renamed");
  }

  @Test
  void patchRefusesBadNotificationSettingsAndChangesNothing() {
    TestSpace space = api.newSpace();
    record Case(Object body, String field) {}
    List<Case> cases =
        List.of(
            new Case(Map.of("push", Map.of("url", "ftp://x.example/")), "push.url"),
            new Case(Map.of("push", Map.of("url", "https://user:pw@x.example/")), "push.url"),
            new Case(Map.of("push", Map.of()), "push.url"),
            new Case(
                Map.of("push", Map.of("url", "https://x.example/" + "a".repeat(2048))), "push.url"),
            new Case(
                Map.of("push", Map.of("url", "https://x.example/", "headers", Map.of("Host", "y"))),
                "push.headers.Host"),
            new Case(
                Map.of(
                    "push",
                    Map.of("url", "https://x.example/", "headers", Map.of("bad name", "y"))),
                "push.headers.bad name"),
            new Case(
                Map.of(
                    "push",
                    Map.of("url", "https://x.example/", "headers", Map.of("webhook-id", "y"))),
                "push.headers.webhook-id"),
            new Case(
                Map.of("push", Map.of("url", "https://x.example/", "names", "a")), "push.names"),
            new Case(Map.of("push", "https://x.example/"), "push"),
            new Case(
                Map.of("slack", Map.of("url", "https://x.example/", "events", List.of("finished"))),
                "slack.events"),
            new Case(
                Map.of("name", "ok", "slack", Map.of("url", "javascript:alert(1)")), "slack.url"));
    for (Case c : cases) {
      TestApi.Response r = patch(space, c.body());
      assertThat(r.status()).as(c.toString()).isEqualTo(400);
      assertThat(r.json().get("details").get(0).get("field").asString())
          .as(c.toString())
          .isEqualTo(c.field());
    }
    JsonNode unchanged = api.get("/api/v1/spaces/" + space.id(), api.adminKey()).json();
    assertThat(unchanged.get("name").asString()).isEqualTo("test");
    assertThat(unchanged.get("push").isNull()).isTrue();
  }

  @Test
  void pushWakesTheReceiverForEachPendingJobOfTheChosenNames() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      TestApi.require(
          patch(
              space,
              Map.of(
                  "push",
                  Map.of(
                      "url",
                      receiver.url("/wake"),
                      "headers",
                      Map.of("X-Push-Key", "p"),
                      "names",
                      List.of("wanted")))),
          200);
      List<String> ids =
          api.createJobs(
              space,
              "[{\"name\":\"wanted\"},{\"name\":\"other\"},{\"name\":\"wanted\",\"scheduledFor\":\"2999-01-01T00:00:00Z\"}]");

      Request r = receiver.next(WAIT);
      assertThat(r).isNotNull();
      assertThat(r.path()).isEqualTo("/wake");
      assertThat(r.header("X-Push-Key")).isEqualTo("p");
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      JsonNode body = TestApi.JSON.readTree(r.body());
      assertThat(body.propertyNames()).containsExactly("type", "jobId", "spaceId", "name");
      assertThat(body.get("type").asString()).isEqualTo("job.pending");
      assertThat(body.get("jobId").asString()).isEqualTo(ids.get(0));
      assertThat(body.get("spaceId").asString()).isEqualTo(space.id());
      assertThat(body.get("name").asString()).isEqualTo("wanted");
      // neither the other name nor the scheduled (not yet pending) job is pushed
      assertReceivedExactly(receiver, 1, Duration.ofMillis(700));
    }
  }

  @Test
  void slackGetsAShortLineForTheChosenEventsOnly() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      TestApi.require(
          patch(
              space,
              Map.of(
                  "slack",
                  Map.of("url", receiver.url("/slack"), "events", List.of("completed", "dead")))),
          200);
      String done = api.createJob(space, "nightly-report");
      String gone = api.createJob(space, "cleanup");
      worker.claimAndComplete("null", done);
      worker.killNow("stop", gone); // killed is not chosen

      Request r = receiver.next(WAIT);
      assertThat(r).isNotNull();
      JsonNode body = TestApi.JSON.readTree(r.body());
      assertThat(body.propertyNames()).containsExactly("text");
      assertThat(body.get("text").asString())
          .isEqualTo("[test] Job nightly-report (" + done + ") completed");
      assertReceivedExactly(receiver, 1, Duration.ofMillis(700));
    }
  }

  @Test
  void slackNamesStartedFailedAndDeadTransitions() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      TestSpace space = api.newSpace();
      TestApi.require(
          patch(
              space,
              Map.of(
                  "slack",
                  Map.of(
                      "url",
                      receiver.url("/slack"),
                      "events",
                      List.of("started", "failed", "dead")))),
          200);
      String id = api.createJobs(space, "{\"name\":\"charge-card\",\"maxRetries\":1}").get(0);
      worker.start(id); // started
      TestApi.require(worker.fail(id, "{\"error\":\"card <declined>\"}", null), 200); // retried
      worker.deliver(id);
      TestApi.require(worker.fail(id, "{\"error\":\"card declined again\"}", null), 200); // dead

      List<String> texts = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Request r = receiver.next(WAIT);
        assertThat(r).isNotNull();
        texts.add(TestApi.JSON.readTree(r.body()).get("text").asString());
      }
      String job = "[test] Job charge-card (" + id + ")";
      assertThat(texts)
          .containsExactlyInAnyOrder(
              job + " started (attempt 1)",
              job + " failed attempt 1 and will be retried: card &lt;declined&gt;",
              job + " is dead after 2 attempts: card declined again");
    }
  }

  @Test
  void aFailingNotificationReceiverNeverTouchesTheJob() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(Receiver.Reply.of(500));
      TestSpace space = api.newSpace();
      TestApi.require(patch(space, Map.of("push", Map.of("url", receiver.url("/down")))), 200);
      String id = api.createJob(space, "anything");
      assertThat(receiver.next(WAIT)).isNotNull();
      assertReceivedExactly(receiver, 1, Duration.ofMillis(500)); // best effort: no retry
      assertThat(status(space, id)).isEqualTo("pending");
    }
  }
}
