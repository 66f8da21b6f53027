package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A benchmark, outside the test suites (bench/java is compiled only by the {@code bench} Maven
 * profile): run it with {@code bench/listing/run.sh}. Fills one space with {@code LISTING_JOBS}
 * jobs (default one million) by a generate_series INSERT, then for each list shape the application
 * issues (the very {@link JobQueries} statements) prints EXPLAIN (ANALYZE, BUFFERS) under a custom
 * and a generic plan, checks the plan reads an index and measures latency through {@link
 * JobQueries}. Writes a Markdown report to {@code target/bench-listing.md}.
 */
class ListingBenchmark extends IntegrationTest {

  @Autowired DataSource dataSource;
  @Autowired JobQueries queries;

  /**
   * Ids sort like ULIDs (fixed prefix, zero-padded counter); statuses follow a job queue's usual
   * mix: mostly completed, a few percent pending and dead, a sliver of running/delivered/scheduled.
   */
  static final String FILL =
      """
      INSERT INTO jobs (id, space_id, name, payload, status, max_retries, attempt_number,
                        timeout_seconds, available_at, deadline_at, delivery_id, delivered_at,
                        started_at, completed_at, created_at, updated_at, result)
      SELECT '%3$s' || lpad(i::text, 19, '0'), '%1$s', 'job-' || (i %% 20),
             json_build_object('n', i), s.status, 3, 0, 300, now(),
             CASE WHEN s.status IN ('delivered', 'running') THEN now() + interval '5 minutes' END,
             CASE WHEN s.status IN ('delivered', 'running') THEN 'd' || i END,
             CASE WHEN s.status NOT IN ('pending', 'scheduled') THEN now() END,
             CASE WHEN s.status IN ('running', 'completed', 'dead') THEN now() END,
             CASE WHEN s.status IN ('completed', 'dead', 'killed') THEN now() END,
             now(), now(),
             CASE WHEN s.status = 'completed' THEN '{"ok":true}'::json END
        FROM generate_series(1, %2$d) AS i
        CROSS JOIN LATERAL (SELECT CASE
             WHEN i %% 200 < 170 THEN 'completed'
             WHEN i %% 200 < 186 THEN 'pending'
             WHEN i %% 200 < 194 THEN 'dead'
             WHEN i %% 200 < 196 THEN 'killed'
             WHEN i %% 200 < 198 THEN 'running'
             WHEN i %% 200 < 199 THEN 'delivered'
             ELSE 'scheduled' END AS status) s
      """;

  record Case(
      String title,
      String sql,
      String space,
      String before,
      int limit,
      long offset,
      String name,
      String statuses) {}

  @Test
  void listingUsesAnIndexForEveryShapeOnAMillionJobs() throws Exception {
    int jobs = Integer.parseInt(System.getenv().getOrDefault("LISTING_JOBS", "1000000"));
    TestSpace space = api.newSpace();
    long t0 = System.nanoTime();
    jdbc.sql(FILL.formatted(space.id(), jobs, "01BENCH")).update();
    // a small space next to the big one, with no dead jobs: the case where a plan that walks the
    // primary key and filters would read the whole table
    TestSpace small = api.newSpace();
    jdbc.sql(FILL.formatted(small.id(), 5000, "01BENCS")).update();
    jdbc.sql("UPDATE jobs SET status = 'completed' WHERE space_id = :s AND status = 'dead'")
        .param("s", small.id())
        .update();
    jdbc.sql("ANALYZE jobs").update();
    long fillMs = (System.nanoTime() - t0) / 1_000_000;

    String deep = "01BENCH" + String.format("%019d", jobs / 10); // 90% of the way down
    List<Case> cases =
        List.of(
            new Case(
                "First page, no filter",
                JobQueries.LIST_NEWEST,
                space.id(),
                null,
                51,
                0,
                null,
                null),
            new Case(
                "Deep keyset page (90% down), no filter",
                JobQueries.LIST_NEWEST, space.id(), deep, 51, 0, null, null),
            new Case(
                "First page, status=running (1%)",
                JobQueries.listSql(List.of("running"), null),
                space.id(),
                null,
                51,
                0,
                null,
                "running"),
            new Case(
                "Deep keyset page, status=dead (4%)",
                JobQueries.listSql(List.of("dead"), null), space.id(), deep, 51, 0, null, "dead"),
            new Case(
                "First page, status=pending,running,dead",
                JobQueries.listSql(List.of("pending", "running", "dead"), null),
                space.id(),
                null,
                51,
                0,
                null,
                "pending,running,dead"),
            new Case(
                "Deep keyset page, status=pending,running,dead",
                JobQueries.listSql(List.of("pending", "running", "dead"), null),
                space.id(),
                deep,
                51,
                0,
                null,
                "pending,running,dead"),
            new Case(
                "First page, name=job-7",
                JobQueries.LIST_BY_NAME,
                space.id(),
                null,
                51,
                0,
                "job-7",
                null),
            new Case(
                "First page, name=job-7 & status=dead",
                JobQueries.listSql(List.of("dead"), "job-7"),
                space.id(),
                null,
                51,
                0,
                "job-7",
                "dead"),
            new Case(
                "Offset 10000 (slow path), no filter",
                JobQueries.LIST_NEWEST,
                space.id(),
                null,
                51,
                10_000,
                null,
                null),
            new Case(
                "Small space (5000 jobs), first page",
                JobQueries.LIST_NEWEST,
                small.id(),
                null,
                51,
                0,
                null,
                null),
            new Case(
                "Small space, status=dead (it has none)",
                JobQueries.listSql(List.of("dead"), null),
                small.id(),
                null,
                51,
                0,
                null,
                "dead"),
            new Case(
                "Big space, cursor inside the small space's ids",
                JobQueries.LIST_NEWEST,
                space.id(),
                "01BENCS0000000000000002500",
                51,
                0,
                null,
                null));

    StringBuilder report = new StringBuilder();
    report
        .append("Jobs in the big space: ")
        .append(jobs)
        .append(", in the small space: 5000")
        .append(" (fill + ANALYZE ")
        .append(fillMs)
        .append(" ms)\n\n");
    report.append(
        "| query | median ms | p95 ms | rows | index used (custom / generic plan) |\n|---|---|---|---|---|\n");
    StringBuilder plans = new StringBuilder();
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (Case k : cases) {
        String custom = explain(st, k, "force_custom_plan");
        String generic = explain(st, k, "force_generic_plan");
        assertThat(custom).as(k.title()).containsPattern("Index Scan|Index Only Scan");
        assertThat(generic).as(k.title()).containsPattern("Index Scan|Index Only Scan");
        assertThat(custom).as(k.title()).doesNotContain("Seq Scan on jobs");
        assertThat(indexes(custom))
            .as(k.title())
            .containsPattern("^(jobs_space_|jobs_in_flight_deadline)")
            .doesNotContain("jobs_pkey");
        assertThat(indexes(generic))
            .as(k.title())
            .containsPattern("^(jobs_space_|jobs_in_flight_deadline)")
            .doesNotContain("jobs_pkey");
        assertThat(generic).as(k.title()).doesNotContain("Seq Scan on jobs");
        double[] ms =
            time(
                () ->
                    queries
                        .list(
                            k.space(),
                            k.statuses() == null
                                ? List.of()
                                : Arrays.asList(k.statuses().split(",")),
                            k.name(),
                            k.before(),
                            k.limit(),
                            k.offset())
                        .size());
        int rows =
            queries
                .list(
                    k.space(),
                    k.statuses() == null ? List.of() : Arrays.asList(k.statuses().split(",")),
                    k.name(),
                    k.before(),
                    k.limit(),
                    k.offset())
                .size();
        report
            .append("| ")
            .append(k.title())
            .append(" | ")
            .append(String.format("%.2f", ms[0]))
            .append(" | ")
            .append(String.format("%.2f", ms[1]))
            .append(" | ")
            .append(rows)
            .append(" | ")
            .append(indexes(custom))
            .append(" / ")
            .append(indexes(generic))
            .append(" |\n");
        plans
            .append("\n#### ")
            .append(k.title())
            .append(" — custom plan\n\n```\n")
            .append(custom)
            .append("```\n");
        plans
            .append("\n#### ")
            .append(k.title())
            .append(" — generic plan\n\n```\n")
            .append(generic)
            .append("```\n");
      }
    }
    String md =
        report
            + "\n<details><summary>EXPLAIN (ANALYZE, BUFFERS)</summary>\n"
            + plans
            + "\n</details>\n";
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/bench-listing.md"), md);
    System.out.println(md);
  }

  /** EXPLAIN (ANALYZE, BUFFERS) of the statement prepared server-side, as the driver does. */
  static String explain(Statement st, Case k, String planMode) throws Exception {
    String sql =
        k.sql()
            .replace(":space", "$1")
            .replace(":before", "$2")
            .replace(":limit", "$3")
            .replace(":offset", "$4")
            .replace(":name", "$5")
            .replace(":statuses", "$6")
            .replace(":window", "$7");
    st.execute("DEALLOCATE ALL");
    st.execute("SET plan_cache_mode = " + planMode);
    st.execute("PREPARE q(text, text, int, bigint, text, text, bigint) AS " + sql);
    String args =
        String.join(
            ", ",
            lit(k.space()),
            lit(k.before() == null ? JobQueries.BEFORE_EVERYTHING : k.before()),
            String.valueOf(k.limit()),
            String.valueOf(k.offset()),
            lit(k.name()),
            lit(k.statuses()),
            String.valueOf(k.offset() + k.limit()));
    StringBuilder out = new StringBuilder();
    try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE q(" + args + ")")) {
      while (rs.next()) {
        out.append(rs.getString(1)).append('\n');
      }
    }
    st.execute("DEALLOCATE ALL");
    st.execute("RESET plan_cache_mode");
    return out.toString();
  }

  static String lit(String v) {
    return v == null ? "NULL" : "'" + v.replace("'", "''") + "'";
  }

  static String indexes(String plan) {
    Map<String, Boolean> names = new LinkedHashMap<>();
    var m =
        java.util.regex.Pattern.compile("Index (?:Only )?Scan(?: Backward)? using (\\w+)")
            .matcher(plan);
    while (m.find()) {
      names.put(m.group(1), true);
    }
    return String.join(", ", names.keySet());
  }

  /** Median and p95 of 40 timed runs after 10 warm-up runs, in milliseconds. */
  static double[] time(Supplier<Integer> run) {
    for (int i = 0; i < 10; i++) {
      run.get();
    }
    List<Double> samples = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long t = System.nanoTime();
      run.get();
      samples.add((System.nanoTime() - t) / 1e6);
    }
    samples.sort(Double::compare);
    return new double[] {
      samples.get(samples.size() / 2), samples.get((int) (samples.size() * 0.95))
    };
  }
}
