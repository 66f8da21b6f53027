package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A call whose {@code Accept} admits no JSON is refused before it changes anything ({@link
 * AcceptFilter}); before, the write was made and only the answer failed. The calls go through a
 * plain client: the suite's contract check would (rightly) flag a 406 the description does not list
 * per operation.
 */
class AcceptHeaderIntegrationTests extends IntegrationTest {

  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> post(String path, String key, String accept, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("x-api-key", key)
            .header("Content-Type", "application/json")
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAckOrACreateThatCannotTakeJsonIsRefusedBeforeItChangesAnything() throws Exception {
    TestSpace space = api.newSpace();
    WorkerCalls calls = new WorkerCalls(api, space);
    String id = api.createJob(space, "accept");
    calls.deliver(id);

    for (String accept : List.of("text/plain", "text/html, image/*", "application/xml", "no/")) {
      HttpResponse<String> ack = post("/api/v1/jobs/" + id + "/ack", space.key(), accept, null);
      assertThat(ack.statusCode()).as(accept).isEqualTo(406);
      assertThat(ack.body()).contains("\"code\":\"not_acceptable\"");
      HttpResponse<String> create =
          post(
              "/api/v1/spaces/" + space.id() + "/jobs",
              space.key(),
              accept,
              "{\"name\":\"twice\"}");
      assertThat(create.statusCode()).as(accept).isEqualTo(406);
    }
    assertThat(calls.status(id)).isEqualTo("delivered");
    assertThat(
            jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
                .param("s", space.id())
                .query(Integer.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void everyAcceptThatAdmitsJsonStillWorks() throws Exception {
    TestSpace space = api.newSpace();
    for (String accept :
        new String[] {
          null, "application/json", "*/*", "application/*", "text/html, application/json;q=0.1"
        }) {
      HttpResponse<String> create =
          post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), accept, "{\"name\":\"a\"}");
      assertThat(create.statusCode()).as(String.valueOf(accept)).isEqualTo(201);
    }
  }

  @Test
  void theRuleIsSpringsCompatibility() {
    assertThat(AcceptFilter.acceptsJson(List.of())).isTrue();
    assertThat(AcceptFilter.acceptsJson(List.of(""))).isTrue();
    assertThat(AcceptFilter.acceptsJson(List.of("text/plain", "application/json"))).isTrue();
    assertThat(AcceptFilter.acceptsJson(List.of("application/*+json"))).isTrue();
    assertThat(AcceptFilter.acceptsJson(List.of("text/*"))).isFalse();
    assertThat(AcceptFilter.acceptsJson(List.of("garbage;;;"))).isFalse();
  }
}
