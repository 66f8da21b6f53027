package dev.spool.job;

import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The [ext] {@code namePrefix} filter of {@code GET /spaces/:id/jobs}: jobs whose name starts with
 * a prefix, newest first (docs/api.md §4.4, docs/benchmarks.md "Name prefix").
 *
 * <p>A prefix spans many names, and {@code jobs_space_name_newest (space_id, name, id DESC)} keeps
 * each name's jobs in id order but not the range as a whole: a plain range scan would read and sort
 * every job of every matching name. Instead the names are found first by a skip scan of that index
 * (one descent per distinct name, starting at the prefix and stopping at the first name that does
 * not start with it), then each name is its own range scan stopped after one window of rows, and
 * only those rows are merged by id — the shape of {@link JobQueries#byStatuses}.
 *
 * <p>The skip scan relies on the names with a prefix being contiguous in the column's collation,
 * which holds for the codepoint orders "C", "POSIX" and "C.UTF-8" (checked once per instance). In a
 * database with a linguistic collation (e.g. en_US.UTF-8, where punctuation may sort apart), and
 * when more than {@link #MAX_NAMES} names match (a short prefix of many distinct names), the list
 * walks the space's newest jobs per status instead and keeps those that match: correct in any
 * collation, and quick when the prefix matches a large part of the space (matches come early).
 */
@Component
class NamePrefixQueries {

  /** Names merged per-name at most; past this the newest-jobs walk is used. */
  static final int MAX_NAMES = 100;

  /** Control characters are refused in job names, so this separator cannot occur in one. */
  private static final String SEPARATOR = "\u001f";

  /**
   * The names with the prefix: the skip scan of {@code jobs_space_name_newest}, which holds the
   * jobs at rest (V77; the {@code status IN} repeats its predicate), and the names of the space's
   * in-flight jobs, read through {@code jobs_in_flight_deadline} (at most {@code :maxNames} + 1 of
   * each, so that more than {@link #MAX_NAMES} in all is seen).
   */
  static final String NAMES =
      """
      WITH RECURSIVE names(name, n) AS (
          (SELECT name, 1 FROM jobs
            WHERE space_id = ANY (ARRAY[CAST(:space AS text)]) AND name >= :prefix
              AND status IN %1$s
            ORDER BY space_id, name LIMIT 1)
          UNION ALL
          SELECT (SELECT j.name FROM jobs j
                   WHERE j.space_id = ANY (ARRAY[CAST(:space AS text)]) AND j.name > names.name
                     AND j.status IN %1$s
                   ORDER BY j.space_id, j.name LIMIT 1), names.n + 1
            FROM names WHERE starts_with(names.name, :prefix) AND names.n <= :maxNames
      )
      SELECT name FROM names WHERE starts_with(name, :prefix)
      UNION
      (SELECT DISTINCT name FROM jobs
        WHERE status IN ('delivered', 'running')
          AND space_id = ANY (ARRAY[CAST(:space AS text)]) AND starts_with(name, :prefix)
        LIMIT :maxNames + 1)
      """
          .formatted(JobQueries.AT_REST);

  /**
   * Each matching name its own range scan of {@code jobs_space_name_newest} (the jobs at rest), and
   * the in-flight jobs of those names in one more part ({@code %3$s}: empty when the statuses asked
   * for are all at rest), merged by id. {@code %1$s} are the columns, {@code %2$s} the status
   * filter.
   */
  static final String BY_NAMES =
      """
      SELECT j.* FROM (
          SELECT j.* FROM unnest(string_to_array(:names, chr(31))) AS n(name)
          CROSS JOIN LATERAL (
              SELECT %1$s FROM jobs
               WHERE space_id = ANY (ARRAY[CAST(:space AS text)]) AND name = n.name
                 AND status IN %4$s AND id < :before %2$s
               ORDER BY space_id, id DESC LIMIT :window
          ) j
          %3$s
      ) j
      ORDER BY j.id DESC LIMIT :limit OFFSET :offset
      """;

  private static final String STATUS_FILTER = "AND status = ANY (string_to_array(:statuses, ','))";

  /**
   * The newest jobs of each status, filtered by the prefix (many matching names), by the parts the
   * statuses touch ({@link JobQueries#parts}).
   */
  static final String[] BY_STATUSES = JobQueries.byStatuses("AND starts_with(name, :prefix)");

  /**
   * Whether the database orders text by codepoint, so that a prefix's names are contiguous. {@code
   * 'B' < 'a'} fails under an ICU default collation (PostgreSQL 15+), whose datcollate may say C.
   */
  static final String CODEPOINT_ORDER =
      """
      SELECT coalesce(datcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8') AND 'B' < 'a', false)
        FROM pg_database WHERE datname = current_database()
      """;

  private final JdbcClient jdbc;
  private volatile Boolean codepointOrder;

  NamePrefixQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  private boolean codepointOrder() {
    Boolean known = codepointOrder;
    if (known == null) {
      known = jdbc.sql(CODEPOINT_ORDER).query(Boolean.class).single();
      codepointOrder = known;
    }
    return known;
  }

  /** As {@link JobQueries#list}, for jobs whose name starts with {@code prefix}. */
  List<JobView> list(
      String spaceId, List<String> statuses, String prefix, String before, int limit, long offset) {
    List<String> names =
        codepointOrder()
            ? jdbc.sql(NAMES)
                .param("space", spaceId)
                .param("prefix", prefix)
                .param("maxNames", MAX_NAMES)
                .query(String.class)
                .list()
            : null;
    if (names != null && names.isEmpty()) {
      return List.of();
    }
    JdbcClient.StatementSpec spec;
    if (names != null && names.size() <= MAX_NAMES) {
      String filter = statuses.isEmpty() ? "" : STATUS_FILTER;
      String inFlight =
          statuses.isEmpty() || JobQueries.parts(statuses) > 0
              ? "    UNION ALL\n"
                  + JobQueries.inFlight(
                      "AND name = ANY (string_to_array(:names, chr(31))) " + filter)
              : "";
      spec =
          jdbc.sql(
                  BY_NAMES.formatted(
                      JobRepository.JOB_COLUMNS, filter, inFlight, JobQueries.AT_REST))
              .param("names", String.join(SEPARATOR, names));
    } else {
      if (statuses.isEmpty()) {
        statuses = Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList();
      }
      spec = jdbc.sql(BY_STATUSES[JobQueries.parts(statuses)]).param("prefix", prefix);
    }
    if (!statuses.isEmpty()) {
      spec = spec.param("statuses", String.join(",", statuses));
    }
    return spec.param("space", spaceId)
        .param("before", before == null ? JobQueries.BEFORE_EVERYTHING : before)
        .param("window", offset + limit)
        .param("limit", limit)
        .param("offset", offset)
        .query(JobRepository.JOB_MAPPER)
        .list();
  }
}
