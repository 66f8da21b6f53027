package dev.spool.job;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The read side of docs/api.md §4.4 that is not a single job: the space's job list and a job's
 * progress. Each list shape has its own statement so that every one of them is a range scan of the
 * index that matches its filter, newest first, stopping after one page (see docs/benchmarks.md
 * "Listing" for the plans on a million-job space).
 *
 * <p>Why {@code space_id = ANY (ARRAY[:space])} and {@code ORDER BY space_id, id DESC}: with a
 * plain {@code space_id = :space} the space column drops out of the sort order, and the primary key
 * ({@code id}) offers the same "newest first" order. Under a cached generic plan PostgreSQL then
 * often prefers walking the primary key backwards and filtering — which reads the whole table when
 * the space (or the status within it) is rare: measured 2.9 s for {@code status=dead} in a small
 * space next to a million-job one. The array form is not an equivalence to a constant, so {@code
 * space_id} stays in the order, which only the listing indexes provide; the btree still uses it as
 * an equality bound, so a deep cursor page starts right at its position.
 */
@Component
class JobQueries {

  /**
   * Sorts after every ULID in the "C" collation: the keyset bound of a first page, so first and
   * later pages are the same statement.
   */
  static final String BEFORE_EVERYTHING = "~";

  /** The statuses a job rests in: the ones {@code jobs_space_status_newest} holds. */
  static final String AT_REST = "('scheduled', 'pending', 'completed', 'dead', 'killed')";

  /**
   * Jobs of one name: a range scan of {@code jobs_space_name_newest}, which holds the jobs at rest
   * (V77; the {@code status IN} repeats its predicate), merged with the name's jobs {@link
   * #inFlight}.
   */
  static final String LIST_BY_NAME =
      """
      SELECT j.* FROM (
          (SELECT %1$s FROM jobs
            WHERE space_id = ANY (ARRAY[CAST(:space AS text)]) AND name = :name
              AND status IN %2$s AND id < :before
            ORDER BY space_id, id DESC LIMIT :window)
          UNION ALL
      %3$s) j
      ORDER BY j.id DESC LIMIT :limit OFFSET :offset
      """
          .formatted(JobRepository.JOB_COLUMNS, AT_REST, inFlight("AND name = :name"));

  /**
   * The in-flight part of a listing: the space's delivered and running jobs that pass {@code
   * filter} (SQL starting with {@code AND}, or empty), newest first, at most {@code :window} of
   * them. Neither listing index holds them (V76, V77: a job passes through those states on every
   * attempt); they are read through {@code jobs_in_flight_deadline}, which holds the in-flight jobs
   * of the whole server — as many as the workers hold at once — filtered by space and sorted.
   */
  static String inFlight(String filter) {
    return """
            (SELECT %s FROM jobs
              WHERE status IN ('delivered', 'running')
                AND space_id = ANY (ARRAY[CAST(:space AS text)]) AND id < :before %s
              ORDER BY space_id, id DESC LIMIT :window)
        """
        .formatted(JobRepository.JOB_COLUMNS, filter);
  }

  /** The statuses a job is in while a worker holds it: not in that index. */
  static final Set<String> IN_FLIGHT = Set.of("delivered", "running");

  /**
   * Jobs in any of the given statuses ({@code statuses}, an SQL array expression), filtered further
   * by {@code extra} (SQL starting with {@code AND}, or empty), from the statuses at rest, the
   * in-flight ones, or both.
   *
   * <p>Statuses at rest: {@code status = ANY(...)} over {@code (space_id, status, id DESC)} cannot
   * return rows in id order across statuses, so PostgreSQL would read and sort every matching row.
   * Instead each status is its own range scan of {@code jobs_space_status_newest} stopped after
   * {@code :window} rows (offset + page + 1), and only those few rows are merged by id. The {@code
   * status IN} list repeats the index predicate so that the planner may use the partial index for a
   * status it only learns at run time.
   *
   * <p>In-flight statuses ({@code delivered}, {@code running}) are not in that index: they are read
   * {@link #inFlight}. A listing that asks for no in-flight status does not read them (and one that
   * asks only for in-flight statuses reads nothing else).
   */
  static String byStatuses(String statuses, String extra, boolean atRest, boolean inFlight) {
    String rest =
        """
            SELECT j.* FROM unnest(%1$s) AS s(status)
            CROSS JOIN LATERAL (
                SELECT %2$s FROM jobs
                 WHERE space_id = ANY (ARRAY[CAST(:space AS text)]) AND status = s.status
                   AND status IN %3$s AND id < :before %4$s
                 ORDER BY space_id, id DESC LIMIT :window
            ) j
        """
            .formatted(statuses, JobRepository.JOB_COLUMNS, AT_REST, extra);
    String flight = inFlight("AND status = ANY (" + statuses + ") " + extra);
    String parts = atRest && inFlight ? rest + "    UNION ALL\n" + flight : atRest ? rest : flight;
    return "SELECT j.* FROM (\n" + parts + ") j\nORDER BY j.id DESC LIMIT :limit OFFSET :offset\n";
  }

  private static final String WANTED = "string_to_array(CAST(:statuses AS text), ',')";

  /**
   * All jobs of a space: {@link #byStatuses} over all seven statuses. There is no {@code (space_id,
   * id)} index: every status change is a non-HOT update, so such an index would take a new entry on
   * every transition of every job (three per job drained) only to serve this listing, which the
   * per-status range scans serve too, each stopped after one window of rows.
   */
  static final String LIST_NEWEST =
      byStatuses(
          "ARRAY['scheduled', 'pending', 'delivered', 'running', 'completed', 'dead', 'killed']",
          "",
          true,
          true);

  /**
   * {@link #byStatuses} for {@code :statuses} filtered by {@code extra}, one statement per set of
   * parts the statuses touch, indexed by {@link #parts}: at rest only, in flight only, both.
   */
  static String[] byStatuses(String extra) {
    return new String[] {
      byStatuses(WANTED, extra, true, false),
      byStatuses(WANTED, extra, false, true),
      byStatuses(WANTED, extra, true, true)
    };
  }

  private static final String[] LIST_BY_STATUSES = byStatuses("");

  private static final String[] LIST_BY_STATUSES_AND_NAME = byStatuses("AND name = :name");

  /** Which of {@link #byStatuses}'s parts the statuses need: 0 at rest, 1 in flight, 2 both. */
  static int parts(List<String> statuses) {
    boolean flight = statuses.stream().anyMatch(IN_FLIGHT::contains);
    boolean rest = statuses.stream().anyMatch(s -> !IN_FLIGHT.contains(s));
    return flight && rest ? 2 : flight ? 1 : 0;
  }

  /** The statement {@link #list} runs for these filters (empty statuses: all; null name: all). */
  static String listSql(List<String> statuses, String name) {
    if (statuses.isEmpty()) {
      return name == null ? LIST_NEWEST : LIST_BY_NAME;
    }
    return (name == null ? LIST_BY_STATUSES : LIST_BY_STATUSES_AND_NAME)[parts(statuses)];
  }

  static final String SPACE_EXISTS = "SELECT EXISTS (SELECT 1 FROM spaces WHERE id = :id)";

  static final String PROGRESS =
      "SELECT space_id, status, progress::text AS progress FROM jobs WHERE id = :id";

  private final JdbcClient jdbc;

  JobQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * One page of a space's jobs, newest first.
   *
   * @param statuses the wanted statuses, empty for all
   * @param name the wanted name, or null for all
   * @param before list only jobs with a smaller id (the cursor), or null from the newest
   * @param limit rows to return
   * @param offset rows to skip after {@code before}
   */
  List<JobView> list(
      String spaceId, List<String> statuses, String name, String before, int limit, long offset) {
    String sql = listSql(statuses, name);
    JdbcClient.StatementSpec spec =
        jdbc.sql(sql)
            .param("space", spaceId)
            .param("before", before == null ? BEFORE_EVERYTHING : before)
            .param("limit", limit)
            .param("offset", offset)
            .param("window", offset + limit);
    if (name != null) {
      spec = spec.param("name", name);
    }
    if (!statuses.isEmpty()) {
      spec = spec.param("statuses", String.join(",", statuses));
    }
    return spec.query(JobRepository.JOB_MAPPER).list();
  }

  boolean spaceExists(String spaceId) {
    return jdbc.sql(SPACE_EXISTS).param("id", spaceId).query(Boolean.class).single();
  }

  /** A job's space, status and progress document. */
  record Progress(String spaceId, String status, String progress) {}

  Optional<Progress> progress(String jobId) {
    return jdbc.sql(PROGRESS)
        .param("id", jobId)
        .query(
            (rs, n) ->
                new Progress(
                    rs.getString("space_id"), rs.getString("status"), rs.getString("progress")))
        .optional();
  }
}
