package dev.spool.job;

import dev.spool.common.DbNow;
import dev.spool.database.SpaceRouting;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pieces every statement that changes {@code jobs} is built from, said once: the statement's
 * now, the deadline a delivery or a sign of life sets, and the one way to append job events with
 * their notifications. The statements themselves live next to this class, one class per family:
 * {@link ClaimSql} (hand jobs out), {@link TransitionSql} (a worker's ack, complete, fail, kill),
 * {@link WorkerEventSql} (progress, checkpoint, keepalive, custom events, logs), {@link
 * MaintenanceSql} (promoter, timeout rescuer, retention reaper), {@link JobInserts} and {@link
 * JobRetries} (create, retry). Every one binds {@code :now} through {@link DbNow}.
 */
public final class JobSql {

  private JobSql() {}

  /** The statement's now (see {@link DbNow}): use it wherever a statement reads the time. */
  public static final String NOW = DbNow.SQL;

  /**
   * A CTE (named {@code commit_mode}) that lets the statement's own commit skip its WAL flush when
   * {@code :deferFlush} is true (see {@code DurableCommits}): an autocommit statement then defers
   * its flush like a transaction of {@code DurableCommits.deferred}, without the round trips of a
   * transaction. The statement must read it (join it into a CTE that runs) so that it is evaluated.
   */
  public static final String COMMIT_MODE =
      """
      commit_mode AS MATERIALIZED (
          SELECT set_config('synchronous_commit',
                            CASE WHEN :deferFlush THEN 'off'
                                 ELSE current_setting('synchronous_commit') END, true)
      )""";

  /**
   * A CTE (named {@code spaces_locked}) that locks the rows of the spaces {@code spaceIds} (an SQL
   * {@code text[]} expression) until the transaction ends, as the foreign key's check from jobs to
   * spaces did before V77, and fails the statement as that check did when one of them is gone
   * ({@code spool_lock_spaces}). For the statements that insert jobs on one PostgreSQL; they must
   * read it before their rows (join it into the CTE that yields them) so that it is evaluated
   * first.
   */
  static String spacesLocked(String spaceIds) {
    return "spaces_locked AS MATERIALIZED (\n    SELECT spool_lock_spaces("
        + spaceIds
        + ") AS n\n)";
  }

  /**
   * When the job's current delivery or execution times out: {@code timeoutSeconds} from now. Set on
   * delivery and ack, pushed back by progress, checkpoint and keepalive; {@code j} is the jobs row.
   */
  public static final String DEADLINE = "spool_after(" + NOW + ", j.timeout_seconds)";

  /**
   * The change step's condition for the rows its statement locked first: {@code cte} is the CTE
   * that holds them (with their {@code ctid} and {@code id}), {@code alias} its name in the change
   * step's FROM, {@code space} their space as an expression. On one PostgreSQL the rows are found
   * by {@code ctid} and nothing else: any other condition on {@code jobs} there (the space, a
   * status, a due time) lets the planner find them through an index instead, and with statistics
   * taken while the space was small it once read the whole backlog per claim (see {@link
   * ClaimSql}); the lock already holds what the picking step checked. The TIDs are also given as an
   * array ({@code ctid = ANY (ARRAY(…))}, computed once), so the scan of {@code jobs} is a TID scan
   * whatever join the planner picks: with the join alone, statistics taken while the table was
   * nearly empty made it hash the locked rows and scan the whole table ({@code
   * StalePlanIntegrationTests} on a fresh database). Citus refuses {@code ctid} in a modification
   * whose other side it plans apart, so {@link #routed} swaps in space and id there, which also
   * routes the statement.
   */
  static String lockedRows(String cte, String alias, String space) {
    return ("j.ctid = ANY (ARRAY(SELECT ctid FROM %3$s)) AND j.ctid = %1$s.ctid"
            + " /*citus: j.space_id = %2$s AND j.id = %1$s.id */")
        .formatted(alias, space, cte);
  }

  private static final Pattern LOCKED_ROWS =
      Pattern.compile(
          "j\\.ctid = ANY \\(ARRAY\\(SELECT ctid FROM \\w+\\)\\) AND j\\.ctid = \\w+\\.ctid"
              + " /\\*citus: ([^*]+) \\*/");

  private static final Map<String, String> CITUS_FORMS = new ConcurrentHashMap<>();

  /**
   * The statement as this deployment runs it: as written on one PostgreSQL; on Citus with every
   * {@link #lockedRows} condition in its Citus form.
   */
  public static String routed(String sql, SpaceRouting routing) {
    if (!routing.distributed()) {
      return sql;
    }
    return CITUS_FORMS.computeIfAbsent(
        sql, s -> LOCKED_ROWS.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1))));
  }

  /**
   * The two CTEs that end every statement changing jobs (after the caller's own, so they begin with
   * {@code ev}): {@code ev} appends the events {@code rows} selects — columns {@code job_id,
   * space_id, type, data, attempt_number, from_status, to_status}, in the order wanted — and {@code
   * note} (one row, column {@code sent}) issues their notifications: {@code spool_events} for the
   * spaces with new events, and {@code spool_pending} for those where a job became pending, which
   * wakes long polls. The {@code spool_events} payload counts the statement's events by space and
   * type (V78), so that its listeners need not read them back. The final SELECT must read {@code
   * note} so that it runs; {@code ev} returns {@code id, space_id, type, to_status}.
   */
  public static String appendEvents(String rows) {
    return """
        ev AS (
            INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                    to_status)
        %s%s%s
            RETURNING id, space_id, type, to_status
        ), note AS (
            SELECT spool_notify_events(array_agg(space_id), array_agg(type), min(id))
                   + spool_notify_pending(array_agg(space_id) FILTER (WHERE to_status = 'pending'))
                   AS sent
              FROM ev
        ) %s
        """
        .formatted(EVENT_ROWS, rows.stripTrailing(), EVENT_ROWS_END, FINAL_SELECT);
  }

  /* Markers around the parts of an {@link #appendEvents} statement that {@link #eventsReturned}
   * rewrites: the event rows, and the statement's final SELECT (everything after the marker). */
  private static final String EVENT_ROWS = "/*spool-event-rows*/";
  private static final String EVENT_ROWS_END = "/*spool-event-rows-end*/";
  private static final String FINAL_SELECT = "/*spool-final-select*/";

  /**
   * The column of an {@link #eventsReturned} statement that carries its events (first row only).
   */
  public static final String EVENTS_COLUMN = "spool_events";

  private static final Map<String, String> EVENTS_RETURNED = new ConcurrentHashMap<>();

  /**
   * On Citus: the {@link #appendEvents} statement {@code sql} (in its {@link #routed} form) with
   * its events returned instead of inserted, so that the whole statement can run on the one worker
   * that holds its space. {@code ev} selects the event rows without inserting them, {@code note}
   * aggregates them (in order) into a JSON array and notifies nothing, and the statement's final
   * SELECT gains a column {@link #EVENTS_COLUMN}: that array on its first row, null on the others
   * (each event's {@code data} as JSON text, so that it is inserted byte for byte as built). {@code
   * ev.id} is the parameter {@code :spoolEventId}: null, or for a statement that appends at most
   * one event the id taken for it beforehand, so that its final SELECT may answer with it. {@link
   * JobStatements} inserts them and sends the notifications with a second statement of the same
   * transaction.
   *
   * <p>Why: an {@code INSERT … SELECT} from the statement's own {@code UPDATE … RETURNING} makes
   * Citus plan the update apart, copy its result to every worker, and commit on both with two-phase
   * commit (docs/scaling.md).
   */
  public static String eventsReturned(String sql, SpaceRouting routing) {
    return EVENTS_RETURNED.computeIfAbsent(
        routed(sql, routing),
        s -> {
          int rows = s.indexOf(EVENT_ROWS);
          int rowsEnd = s.indexOf(EVENT_ROWS_END);
          int fin = s.indexOf(FINAL_SELECT);
          int ev = s.lastIndexOf("ev AS (", rows);
          if (rows < 0 || rowsEnd < rows || fin < rowsEnd || ev < 0) {
            throw new IllegalArgumentException("not a statement of appendEvents: " + s);
          }
          return s.substring(0, ev)
              + """
              ev AS (
                  SELECT r.job_id, r.space_id, r.type, CAST(r.data AS text) AS data,
                         r.attempt_number, r.from_status, r.to_status,
                         row_number() OVER () AS ord,
                         CAST(:spoolEventId AS bigint) AS id
                    FROM (%s) AS r(job_id, space_id, type, data, attempt_number, from_status,
                                   to_status)
              ), note AS (
                  SELECT json_agg(ev ORDER BY ord) AS %s FROM ev
              ), spool_final AS (
              %s
              )
              SELECT f.*, CASE WHEN row_number() OVER () = 1 THEN (SELECT %2$s FROM note) END
                     AS %2$s
                FROM spool_final f
              """
                  .formatted(
                      s.substring(rows + EVENT_ROWS.length(), rowsEnd),
                      EVENTS_COLUMN,
                      s.substring(fin + FINAL_SELECT.length()).strip());
        });
  }
}
