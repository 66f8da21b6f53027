package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JobListIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls states;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
    states = new WorkerCalls(api, space);
  }

  Response list(String query) {
    return api.get("/api/v1/spaces/" + space.id() + "/jobs" + query, space.key());
  }

  static List<String> ids(Response r) {
    List<String> ids = new ArrayList<>();
    r.json().forEach(j -> ids.add(j.get("id").asString()));
    return ids;
  }

  List<String> create(int n, String name) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(api.createJob(space, name));
    }
    return ids;
  }

  @Test
  void listsJobsNewestFirstAsABareArrayOfJobsWithoutEvents() {
    List<String> created = create(3, "resize");
    Response r = list("");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().isArray()).isTrue();
    List<String> expected = new ArrayList<>(created);
    Collections.reverse(expected);
    assertThat(ids(r)).isEqualTo(expected);
    JsonNode first = r.json().get(0);
    assertThat(first.has("events")).isFalse();
    assertThat(first.get("status").asString()).isEqualTo("pending");
    assertThat(first.get("progress").isNull()).isTrue();
    assertThat(r.header("Next-Cursor")).isNull();
  }

  @Test
  void aCursorWalksEveryJobExactlyOnce() {
    List<String> created = create(7, "resize");
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Response r = list("?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.status()).isEqualTo(200);
      seen.addAll(ids(r));
      cursor = r.header("Next-Cursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    List<String> expected = new ArrayList<>(created);
    Collections.reverse(expected);
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void offsetPagesAndLimitsWork() {
    List<String> created = create(5, "resize");
    Response r = list("?limit=2&offset=2");
    assertThat(ids(r)).containsExactly(created.get(2), created.get(1));
    assertThat(r.header("Next-Cursor")).isNotNull();
    Response next = list("?limit=2&cursor=" + r.header("Next-Cursor"));
    assertThat(ids(next)).containsExactly(created.get(0));
    assertThat(list("?offset=99").json()).isEmpty();
  }

  @Test
  void filtersByOneOrSeveralStatusesAndByName() {
    List<String> a = create(3, "alpha");
    List<String> b = create(3, "beta");
    states.start(a.get(0));
    states.start(b.get(1));
    states.complete(b.get(1));
    states.start(b.get(2));

    assertThat(ids(list("?status=running"))).containsExactly(b.get(2), a.get(0));
    assertThat(ids(list("?status=running,completed")))
        .containsExactly(b.get(2), b.get(1), a.get(0));
    assertThat(ids(list("?status=completed,%20running,running")))
        .containsExactly(b.get(2), b.get(1), a.get(0));
    assertThat(ids(list("?name=alpha"))).containsExactly(a.get(2), a.get(1), a.get(0));
    assertThat(ids(list("?name=beta&status=pending,running"))).containsExactly(b.get(2), b.get(0));
    assertThat(ids(list("?status=dead"))).isEmpty();

    Response page1 = list("?status=running,completed,pending&limit=2");
    assertThat(ids(page1)).containsExactly(b.get(2), b.get(1));
    Response page2 =
        list("?status=running,completed,pending&limit=2&cursor=" + page1.header("Next-Cursor"));
    assertThat(ids(page2)).containsExactly(b.get(0), a.get(2));
    Response page3 = list("?status=running,completed,pending&limit=2&offset=4");
    assertThat(ids(page3)).containsExactly(a.get(1), a.get(0));
  }

  /**
   * In-flight jobs (delivered, running) are listed through another index than the jobs at rest
   * (V76): a listing over every status, a cursor walk, and the in-flight filters must still merge
   * both, and must not show another space's in-flight jobs.
   */
  @Test
  void inFlightAndRestingJobsMergeInOneNewestFirstOrder() {
    TestSpace other = api.newSpace();
    WorkerCalls otherStates = new WorkerCalls(api, other);
    String otherDelivered = api.createJob(other, "alpha");
    otherStates.deliver(otherDelivered);
    List<String> jobs = create(6, "alpha");
    states.deliver(jobs.get(1));
    states.start(jobs.get(3));
    states.start(jobs.get(4));
    states.complete(jobs.get(4));
    states.deliver(jobs.get(5));
    String otherRunning = api.createJob(other, "alpha");
    otherStates.start(otherRunning);

    List<String> newestFirst = new ArrayList<>(jobs);
    Collections.reverse(newestFirst);
    assertThat(ids(list(""))).isEqualTo(newestFirst);
    assertThat(ids(list("?name=alpha"))).isEqualTo(newestFirst);
    List<String> walked = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 10; pages++) {
      Response r = list("?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      walked.addAll(ids(r));
      cursor = r.header("Next-Cursor");
      if (cursor == null) {
        break;
      }
    }
    assertThat(walked).isEqualTo(newestFirst);
    assertThat(ids(list("?status=delivered"))).containsExactly(jobs.get(5), jobs.get(1));
    assertThat(ids(list("?status=delivered,running,pending")))
        .containsExactly(jobs.get(5), jobs.get(3), jobs.get(2), jobs.get(1), jobs.get(0));
    assertThat(ids(list("?status=running,completed&limit=1&offset=1")))
        .containsExactly(jobs.get(3));
    assertThat(
            ids(
                list(
                    "?status=delivered&name=alpha&limit=1&cursor="
                        + ListCursor.encode(jobs.get(5)))))
        .containsExactly(jobs.get(1));
    assertThat(ids(list("?status=running&namePrefix=al"))).containsExactly(jobs.get(3));
  }

  @Test
  void anOffsetPastTenThousandIsRefusedPointingAtTheCursor() {
    assertThat(list("?offset=10000").status()).isEqualTo(200);
    for (String deep : List.of("?offset=10001", "?offset=2147483647")) {
      Response r = list(deep);
      assertThat(r.status()).as(deep).isEqualTo(400);
      assertThat(r.json().at("/details/0/field").asString()).isEqualTo("offset");
      assertThat(r.error()).contains("at most 10000").contains("cursor");
    }
  }

  @Test
  void badQueryParametersAre400sInTheErrorBody() {
    for (String q :
        List.of(
            "?limit=0",
            "?limit=101",
            "?limit=abc",
            "?limit=1.5",
            "?offset=-1",
            "?offset=x",
            "?status=finished",
            "?status=pending,nope",
            "?cursor=garbage!!",
            "?cursor=Zm9yZ2Vk",
            "?cursor="
                + java.util.Base64.getUrlEncoder().encodeToString("j1:not-a-ulid".getBytes()),
            "?cursor=" + ListCursor.encode("01ARZ3NDEKTSV4RRFFQ69G5FAV") + "&offset=3")) {
      Response r = list(q);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.error()).as(q).isNotBlank();
      assertThat(r.json().get("details").get(0).get("field").asString()).as(q).isNotBlank();
    }
    assertThat(list("?limit=0").error()).isEqualTo("limit must be an integer between 1 and 100");
    assertThat(list("?limit=100").status()).isEqualTo(200);
    assertThat(list("?status=finished").error())
        .startsWith("status must be any of scheduled, pending");
  }

  @Test
  void listingChecksScopeAndSpace() {
    assertThat(api.get("/api/v1/spaces/" + space.id() + "/jobs", space.publicKey()).status())
        .isEqualTo(403);
    TestSpace other = api.newSpace();
    assertThat(api.get("/api/v1/spaces/" + space.id() + "/jobs", other.key()).status())
        .isEqualTo(403);
    assertThat(api.get("/api/v1/spaces/" + space.id() + "/jobs", api.adminKey()).status())
        .isEqualTo(200);
    assertThat(api.get("/api/v1/spaces/01ARZ3NDEKTSV4RRFFQ69G5FAV/jobs", api.adminKey()).status())
        .isEqualTo(404);
  }

  @Test
  void progressIsReadableWithTheReadOrTheProgressScope() {
    String id = api.createJob(space, "resize");
    Response r = api.get("/api/v1/jobs/" + id + "/progress", space.publicKey());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("jobId").asString()).isEqualTo(id);
    assertThat(r.json().get("status").asString()).isEqualTo("pending");
    assertThat(r.json().has("progress")).isTrue();
    assertThat(r.json().get("progress").isNull()).isTrue();
    assertThat(api.get("/api/v1/jobs/" + id + "/progress", space.key()).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/jobs/" + id, space.publicKey()).status()).isEqualTo(403);
    String pollOnly = api.newKey(space.id(), List.of("jobs:poll"));
    assertThat(api.get("/api/v1/jobs/" + id + "/progress", pollOnly).error())
        .isEqualTo("Missing required scope: jobs:read");
    assertThat(api.get("/api/v1/jobs/" + id + "/progress", api.newSpace().publicKey()).status())
        .isEqualTo(403);
    assertThat(api.get("/api/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/progress", space.key()).status())
        .isEqualTo(404);
  }

  @Test
  void getJobShowsTheMostRecentHundredEventsOldestFirst() {
    String id = api.createJob(space, "resize");
    jdbc.sql(
            """
            INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
            SELECT :id, :space, 'tick', json_build_object('n', n), 0 FROM generate_series(1, 1004) n
            """)
        .param("id", id)
        .param("space", space.id())
        .update();
    Response r = api.get("/api/v1/jobs/" + id, space.key());
    JsonNode events = r.json().get("events");
    assertThat(events).hasSize(100);
    assertThat(events.get(0).get("data").get("n").asInt()).isEqualTo(905);
    assertThat(events.get(99).get("data").get("n").asInt()).isEqualTo(1004);
    assertThat(events.get(0).get("id").asLong()).isLessThan(events.get(99).get("id").asLong());
    assertThat(r.header("Events-Truncated")).isEqualTo("true");
  }
}
