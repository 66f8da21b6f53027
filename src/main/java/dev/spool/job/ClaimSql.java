package dev.spool.job;

import static dev.spool.job.JobSql.DEADLINE;
import static dev.spool.job.JobSql.NOW;

/**
 * The statements that hand jobs to workers. A poll claims in one statement: lock up to {@code
 * :count} available rows with {@code FOR UPDATE SKIP LOCKED} (concurrent polls take different rows
 * and never wait on each other; a row whose status changed meanwhile is re-checked by the lock and
 * dropped), mark them delivered with a fresh delivery id and deadline, and append their {@code
 * delivered} events. Scheduled jobs that are due count as available, so promotion lag never delays
 * delivery. Each returns {@code id, name, payload, timeout_seconds, max_retries, attempt_number,
 * created_at, delivery_id, status}.
 *
 * <p>The UPDATE finds the rows the claim locked by their {@code ctid} (the locked version's), never
 * by a join on {@code id}: with statistics taken while the space was small (a queue that grew since
 * the last ANALYZE), the planner once joined the locked rows to every claimable row of the space
 * through {@code jobs_claimable_by_name} — one pass over the whole backlog per claim, which made
 * the steady-load benchmark collapse at 150 jobs/s. A parameterized TID scan costs one page per row
 * whatever the statistics say, provided nothing else in that WHERE is indexable ({@link
 * JobSql#lockedRows}; run the statements through {@link JobSql#routed}). {@link MaintenanceSql} and
 * {@link TransitionSql#failedAttempt} do the same.
 */
public final class ClaimSql {

  private ClaimSql() {}

  /** Oldest first by (available_at, id): the order of the {@code jobs_claimable} index. */
  private static final String CLAIM_AVAILABLE_TEMPLATE =
      """
      WITH %8$spicked AS (
          SELECT ctid, id, available_at, status FROM jobs
           WHERE space_id = :space AND status IN ('pending', 'scheduled')
             AND available_at <= %1$s %2$s
           ORDER BY available_at, id
           LIMIT :count
             FOR UPDATE SKIP LOCKED
      ), numbered AS (
          SELECT ctid, id, available_at, status,
                 row_number() OVER (ORDER BY available_at, id) AS n
            FROM picked
      ), u AS (
          UPDATE jobs j SET status = %3$s,
                 delivery_id = CAST(:deliveries AS json) ->> (n.n - 1)::int,
                 deadline_at = %6$s,
                 delivered_at = %1$s, %4$s updated_at = %1$s
            FROM numbered n
           WHERE %7$s
          RETURNING j.id, j.space_id, j.name, j.payload, j.timeout_seconds, j.max_retries,
                    j.attempt_number, j.created_at, j.delivery_id, j.available_at, j.status,
                    n.status AS from_status
      ), %5$s
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id, status
        FROM u, note%9$s ORDER BY available_at, id
      """;

  private static final String BY_NAME =
      "AND name = ANY (ARRAY(SELECT json_array_elements_text(CAST(:names AS json))))";

  /**
   * The status a claim sets, the {@code started_at} it sets and the events it appends ({@code e}:
   * ord, type, data), without and with ack on poll: an acked claim is a delivery and an ack in one
   * statement, so it records both events, in that order, and starts the execution timeout — whose
   * length is the same {@code timeout_seconds} as the delivery timeout, hence one deadline.
   */
  private static final String[] DELIVER = {
    "'delivered'",
    "",
    "CROSS JOIN LATERAL (VALUES (1, 'delivered', json_build_object('deliveryId', u.delivery_id),"
        + " u.from_status, 'delivered')) AS e(ord, type, data, from_status, to_status)"
  };

  private static final String[] DELIVER_AND_ACK = {
    "'running'",
    "started_at = " + NOW + ",",
    "CROSS JOIN LATERAL (VALUES (1, 'delivered', json_build_object('deliveryId', u.delivery_id),"
        + " u.from_status, 'delivered'), (2, 'acked', NULL, 'delivered', 'running'))"
        + " AS e(ord, type, data, from_status, to_status)"
  };

  private static String events(String[] mode, String order) {
    return JobSql.appendEvents(
        """
            SELECT u.id, u.space_id, e.type, e.data, u.attempt_number, e.from_status, e.to_status
              FROM u %s
             ORDER BY %s
        """
            .formatted(mode[2], order));
  }

  /**
   * @param ownFlush whether the statement defers its own commit's flush ({@link
   *     JobSql#COMMIT_MODE}, bound {@code :deferFlush}; the final SELECT reads it: joined into
   *     {@code numbered} it turned the change step's TID scan into a scan of the whole table, see
   *     {@code StalePlanIntegrationTests}): one PostgreSQL runs the claim as one autocommit
   *     statement. On Citus it runs in a transaction of {@link JobStatements} whose flush the
   *     coordinator defers (a CTE the claim reads would be copied to every worker).
   */
  private static String claimAvailable(String filter, String[] mode, boolean ownFlush) {
    return CLAIM_AVAILABLE_TEMPLATE.formatted(
        NOW,
        filter,
        mode[0],
        mode[1],
        events(mode, "u.available_at, u.id, e.ord"),
        DEADLINE,
        JobSql.lockedRows("numbered", "n", ":space"),
        ownFlush ? JobSql.COMMIT_MODE + ", " : "",
        ownFlush ? ", commit_mode" : "");
  }

  /** The claim statement of a poll: with or without a name filter and ack on poll. */
  public static String claimAvailable(boolean named, boolean ack, boolean ownFlush) {
    return CLAIMS[(named ? 4 : 0) + (ack ? 2 : 0) + (ownFlush ? 1 : 0)];
  }

  private static final String[] CLAIMS = new String[8];

  static {
    for (int i = 0; i < CLAIMS.length; i++) {
      CLAIMS[i] =
          claimAvailable(
              (i & 4) != 0 ? BY_NAME : "", (i & 2) != 0 ? DELIVER_AND_ACK : DELIVER, (i & 1) != 0);
    }
  }

  /** Claims one job by id: pending, or scheduled and due. */
  private static final String CLAIM_ONE_TEMPLATE =
      """
      WITH u AS (
          UPDATE jobs j SET status = %3$s, previous_status = status,
                 delivery_id = :delivery,
                 deadline_at = %6$s,
                 delivered_at = %1$s, %4$s updated_at = %1$s
           WHERE id = :id AND (CAST(:space AS text) IS NULL OR space_id = :space)
             AND (status = 'pending' OR (status = 'scheduled' AND available_at <= %1$s))
          RETURNING id, space_id, name, payload, timeout_seconds, max_retries, attempt_number,
                    created_at, delivery_id, status, previous_status AS from_status
      ), %5$s
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id, status
        FROM u, note
      """;

  private static String claimOne(String[] mode) {
    return CLAIM_ONE_TEMPLATE.formatted(NOW, "", mode[0], mode[1], events(mode, "e.ord"), DEADLINE);
  }

  public static final String CLAIM_ONE = claimOne(DELIVER);
  public static final String CLAIM_ONE_ACKED = claimOne(DELIVER_AND_ACK);
}
