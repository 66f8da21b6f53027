package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import org.junit.jupiter.api.Test;

/**
 * A NUL character (or an unpaired surrogate) parses as JSON but cannot be stored in a text column:
 * wherever a client's text is stored, it is a 400 naming the field, never a 500 from the database.
 */
class UnstorableTextIntegrationTests extends IntegrationTest {

  static final String NUL = "\\u0000";

  @Test
  void aNulInAFailErrorOrAKillReasonIsABadRequest() {
    TestSpace space = api.newSpace();
    WorkerCalls worker = new WorkerCalls(api, space);
    String failing = api.createJob(space, "nul-error");
    String delivery = worker.start(failing);
    assertField(worker.fail(failing, "{\"error\":\"bad" + NUL + "\"}", delivery), "error");
    assertField(
        worker.fail(failing, "{\"error\":{\"message\":\"x" + NUL + "\"}}", delivery), "error");
    assertThat(worker.status(failing)).isEqualTo("running");

    String killed = api.createJob(space, "nul-reason");
    assertField(worker.kill(killed, "{\"reason\":\"stop" + NUL + "\"}"), "reason");
    assertThat(worker.status(killed)).isEqualTo("pending");
  }

  @Test
  void aNulInASpaceKeyOrPushNameIsABadRequest() {
    assertField(api.post("/api/v1/spaces", api.adminKey(), "{\"name\":\"s" + NUL + "\"}"), "name");
    TestSpace space = api.newSpace();
    assertField(
        api.post(
            "/api/v1/spaces/" + space.id() + "/keys",
            api.adminKey(),
            "{\"name\":\"k" + NUL + "\",\"scopes\":[\"jobs:read\"]}"),
        "name");
    assertField(
        api.patch(
            "/api/v1/spaces/" + space.id(),
            api.adminKey(),
            "{\"push\":{\"url\":\"https://x.example/\",\"names\":[\"n" + NUL + "\"]}}"),
        "push.names");
  }

  private static void assertField(Response r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().at("/details/0/field").asString()).isEqualTo(field);
  }
}
