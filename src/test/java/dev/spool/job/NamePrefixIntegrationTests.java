package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The [ext] {@code namePrefix} filter of {@code GET /spaces/:id/jobs}. */
class NamePrefixIntegrationTests extends IntegrationTest {

  TestSpace space;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
  }

  Response list(String query) {
    return api.get("/api/v1/spaces/" + space.id() + "/jobs" + query, space.key());
  }

  List<String> create(String... names) {
    String body =
        java.util.Arrays.stream(names)
            .map(n -> "{\"name\":\"" + n + "\"}")
            .collect(Collectors.joining(",", "[", "]"));
    return api.createJobs(space, body);
  }

  static List<String> newestFirst(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    Collections.sort(out, Collections.reverseOrder());
    return out;
  }

  @Test
  void aPrefixListsExactlyTheJobsWhoseNameStartsWithItNewestFirst() {
    List<String> a = create("process", "proc", "other", "processor", "pro", "xproc");
    List<String> b = create("proc-b", "Process", "process");
    Response r = list("?namePrefix=proc");
    assertThat(r.status()).isEqualTo(200);
    assertThat(JobListIntegrationTests.ids(r))
        .isEqualTo(newestFirst(List.of(a.get(0), a.get(1), a.get(3), b.get(0), b.get(2))));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=process")))
        .isEqualTo(newestFirst(List.of(a.get(0), a.get(3), b.get(2))));
    assertThat(list("?namePrefix=zzz").json()).isEmpty();
    assertThat(list("?name=proc").json()).hasSize(1);
  }

  @Test
  void aNameOrPrefixListsTheJobsAWorkerHoldsAmongTheOthers() {
    // jobs_space_name_newest holds the jobs at rest only (V77): the delivered and running ones come
    // from the in-flight index, merged by id, in every shape of the name filter
    List<String> ids = create("mail", "mail", "mail", "mail", "mail-only-held", "other");
    WorkerCalls worker = new WorkerCalls(api, space);
    worker.deliver(ids.get(1));
    worker.start(ids.get(2));
    worker.claimAndComplete("null", ids.get(3));
    worker.start(ids.get(4));
    List<String> mail = newestFirst(ids.subList(0, 4));
    assertThat(JobListIntegrationTests.ids(list("?name=mail"))).isEqualTo(mail);
    assertThat(JobListIntegrationTests.ids(list("?name=mail&status=running,delivered")))
        .isEqualTo(newestFirst(List.of(ids.get(1), ids.get(2))));
    assertThat(JobListIntegrationTests.ids(list("?name=mail&status=completed")))
        .containsExactly(ids.get(3));
    assertThat(JobListIntegrationTests.ids(list("?name=mail-only-held")))
        .containsExactly(ids.get(4));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=mail")))
        .isEqualTo(newestFirst(ids.subList(0, 5)));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=mail-&status=running")))
        .containsExactly(ids.get(4));
    assertThat(list("?namePrefix=mail-&status=pending").json()).isEmpty();

    Response page1 = list("?name=mail&limit=3");
    assertThat(JobListIntegrationTests.ids(page1)).isEqualTo(mail.subList(0, 3));
    Response page2 = list("?name=mail&limit=3&cursor=" + page1.header("Next-Cursor"));
    assertThat(JobListIntegrationTests.ids(page2)).isEqualTo(mail.subList(3, 4));
    assertThat(JobListIntegrationTests.ids(list("?name=mail&limit=2&offset=1")))
        .isEqualTo(mail.subList(1, 3));
  }

  @Test
  void thePrefixCombinesWithStatusesAndPagesWithTheCursor() {
    List<String> ids = create("send-a", "send-b", "send-a", "keep", "send-c");
    WorkerCalls worker = new WorkerCalls(api, space);
    worker.start(ids.get(1));
    worker.start(ids.get(3));
    List<String> sends = newestFirst(List.of(ids.get(0), ids.get(1), ids.get(2), ids.get(4)));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=send&status=running")))
        .containsExactly(ids.get(1));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=send&status=pending,running")))
        .isEqualTo(sends);
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=send&status=pending")))
        .isEqualTo(sends.stream().filter(id -> !id.equals(ids.get(1))).toList());

    Response page1 = list("?namePrefix=send&limit=3");
    assertThat(JobListIntegrationTests.ids(page1)).isEqualTo(sends.subList(0, 3));
    Response page2 = list("?namePrefix=send&limit=3&cursor=" + page1.header("Next-Cursor"));
    assertThat(JobListIntegrationTests.ids(page2)).isEqualTo(sends.subList(3, 4));
    assertThat(page2.header("Next-Cursor")).isNull();
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=send&limit=2&offset=2")))
        .isEqualTo(sends.subList(2, 4));
  }

  @Test
  void aPrefixOfMoreNamesThanThePerNameMergeTakesStillListsEveryMatch() {
    int n = NamePrefixQueries.MAX_NAMES + 5;
    String[] names =
        IntStream.range(0, n).mapToObj(i -> "report-" + (1000 + i)).toArray(String[]::new);
    List<String> reports = create(names);
    List<String> others = create("reporter", "zz-report-1", "repo");
    Response r = list("?namePrefix=report-&limit=100");
    assertThat(r.status()).isEqualTo(200);
    assertThat(JobListIntegrationTests.ids(r)).isEqualTo(newestFirst(reports).subList(0, 100));
    Response rest = list("?namePrefix=report-&limit=100&cursor=" + r.header("Next-Cursor"));
    assertThat(JobListIntegrationTests.ids(rest)).isEqualTo(newestFirst(reports).subList(100, n));
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=report&status=pending&limit=100")))
        .hasSize(100)
        .contains(others.get(0))
        .doesNotContain(others.get(1), others.get(2));
    // in-flight statuses are read through another index (V76), in the many-names walk too
    String newest = reports.get(n - 1);
    new WorkerCalls(api, space).deliver(newest);
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=report&status=delivered,running")))
        .containsExactly(newest);
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=report&status=delivered,pending")))
        .hasSize(50)
        .startsWith(others.get(0), newest);
  }

  @Test
  void aBadPrefixIsA400NamingTheParameter() {
    String long256 = "p".repeat(256);
    for (String q :
        List.of(
            "?namePrefix=",
            "?namePrefix=" + long256,
            "?namePrefix=a%01b",
            "?namePrefix=proc&name=process")) {
      Response r = list(q);
      assertThat(r.status()).as(q).isEqualTo(400);
      assertThat(r.json().at("/details/0/field").asString()).as(q).isEqualTo("namePrefix");
    }
    assertThat(list("?namePrefix=proc&name=process").error())
        .isEqualTo("namePrefix cannot be combined with name");
    assertThat(list("?namePrefix=" + "p".repeat(255)).status()).isEqualTo(200);
    String unicode = URLEncoder.encode("é", StandardCharsets.UTF_8);
    List<String> ids = create("été", "etc");
    assertThat(JobListIntegrationTests.ids(list("?namePrefix=" + unicode)))
        .containsExactly(ids.get(0));
  }
}
