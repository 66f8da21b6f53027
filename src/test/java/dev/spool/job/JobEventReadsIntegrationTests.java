package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bounded reads of a job's history: {@code GET /jobs/:id} shows the latest events within a count
 * (100) and a byte budget (1 MiB), {@code GET /jobs/:id/events} pages through all of them, and a
 * logs page stops at its byte budget (1 MiB). Event and log rows are written with SQL for speed.
 */
class JobEventReadsIntegrationTests extends IntegrationTest {

  /** Appends {@code n} custom events of {@code dataBytes} bytes of data each. */
  private void addEvents(String jobId, int n, int dataBytes) {
    jdbc.sql(
            """
            INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
            SELECT j.id, j.space_id, 'step', json_build_object('i', g, 'pad', repeat('x', :pad)),
                   0
              FROM jobs j, generate_series(1, :n) g WHERE j.id = :id ORDER BY g
            """)
        .param("id", jobId)
        .param("n", n)
        .param("pad", dataBytes)
        .update();
  }

  private List<Long> allEventIds(String jobId) {
    return jdbc.sql("SELECT id FROM job_events WHERE job_id = :id ORDER BY id")
        .param("id", jobId)
        .query(Long.class)
        .list();
  }

  private static List<Long> ids(JsonNode events) {
    List<Long> ids = new ArrayList<>();
    events.forEach(e -> ids.add(e.get("id").asLong()));
    return ids;
  }

  /** Every page of {@code GET /jobs/:id/events} from the start, checking each page's size. */
  private List<Long> pageThrough(TestApi.TestSpace space, String jobId, int limit, int maxPage) {
    List<Long> seen = new ArrayList<>();
    String cursor = "";
    for (int guard = 0; guard < 1000; guard++) {
      TestApi.Response r =
          api.get(
              "/api/v1/jobs/"
                  + jobId
                  + "/events?limit="
                  + limit
                  + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
              space.key());
      TestApi.require(r, 200);
      JsonNode events = r.json().get("events");
      assertThat(events.size()).isBetween(1, maxPage);
      seen.addAll(ids(events));
      JsonNode next = r.json().get("nextCursor");
      if (next.isNull()) {
        return seen;
      }
      assertThat(next.asLong()).isEqualTo(seen.get(seen.size() - 1));
      cursor = next.asString();
    }
    throw new AssertionError("paging did not end");
  }

  @Test
  void aJobShowsItsLatestHundredEventsOldestFirstAndPagingReturnsThemAll() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "chatty");
    addEvents(job, 150, 10);
    List<Long> all = allEventIds(job);
    assertThat(all).hasSize(151);

    TestApi.Response r = api.get("/api/v1/jobs/" + job, space.key());
    TestApi.require(r, 200);
    assertThat(ids(r.json().get("events"))).isEqualTo(all.subList(51, 151));
    assertThat(r.header("Events-Truncated")).isEqualTo("true");

    assertThat(pageThrough(space, job, 40, 40)).isEqualTo(all);
  }

  @Test
  void aJobWithFewEventsShowsThemAllWithoutTheTruncationHeader() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "quiet");
    addEvents(job, 3, 10);
    TestApi.Response r = api.get("/api/v1/jobs/" + job, space.key());
    assertThat(ids(r.json().get("events"))).isEqualTo(allEventIds(job));
    assertThat(r.header("Events-Truncated")).isNull();
    TestApi.Response page = api.get("/api/v1/jobs/" + job + "/events", space.key());
    assertThat(ids(page.json().get("events"))).isEqualTo(allEventIds(job));
    assertThat(page.json().get("nextCursor").isNull()).isTrue();
  }

  @Test
  void bigEventsAreShownAndPagedWithinTheByteBudget() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "bulky");
    addEvents(job, 6, 400_000);
    List<Long> all = allEventIds(job);

    TestApi.Response r = api.get("/api/v1/jobs/" + job, space.key());
    // two events of 400 kB fit in 1 MiB, a third does not
    assertThat(ids(r.json().get("events"))).isEqualTo(all.subList(5, 7));
    assertThat(r.body().length()).isLessThan(1_100_000);
    assertThat(r.header("Events-Truncated")).isEqualTo("true");

    assertThat(pageThrough(space, job, 100, 3)).isEqualTo(all);
  }

  @Test
  void badEventCursorsAndLimitsAre400AndUnknownJobs404() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "j");
    for (String q : List.of("cursor=abc", "cursor=-1", "limit=0", "limit=1001")) {
      assertThat(api.get("/api/v1/jobs/" + job + "/events?" + q, space.key()).status())
          .as(q)
          .isEqualTo(400);
    }
    assertThat(api.get("/api/v1/jobs/01JD8Q9M3R5T7V9X1Z3B5D7F9H/events", space.key()).status())
        .isEqualTo(404);
    TestApi.TestSpace other = api.newSpace();
    assertThat(api.get("/api/v1/jobs/" + job + "/events", other.key()).status()).isEqualTo(403);
  }

  @Test
  void aLogsPageStopsAtItsByteBudgetAndItsCursorContinues() {
    TestApi.TestSpace space = api.newSpace();
    String job = api.createJob(space, "verbose");
    jdbc.sql(
            """
            INSERT INTO job_logs (job_id, space_id, seq, level, message, logged_at, attempt_number)
            SELECT :id, :space, g, 2, repeat('m', 300000), now(), 0 FROM generate_series(1, 7) g
            """)
        .param("id", job)
        .param("space", space.id())
        .update();
    List<Long> seen = new ArrayList<>();
    long after = 0;
    for (int page = 0; page < 10; page++) {
      TestApi.Response r =
          api.get("/api/v1/jobs/" + job + "/logs?limit=1000&after=" + after, space.key());
      TestApi.require(r, 200);
      JsonNode logs = r.json().get("logs");
      // three 300 kB lines fit in 1 MiB, a fourth does not
      assertThat(logs.size()).isBetween(1, 3);
      logs.forEach(l -> seen.add(l.get("seq").asLong()));
      JsonNode next = r.json().get("nextCursor");
      if (next.isNull()) {
        break;
      }
      after = next.asLong();
    }
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
  }
}
