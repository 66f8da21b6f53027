package dev.spool.stats;

import dev.spool.database.SpaceRouting;
import dev.spool.job.JobCounts;
import dev.spool.maintenance.RetentionProperties;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Folds job events into one {@code job_stats} row per space per minute (see V60__job_stats.sql).
 *
 * <p>Each event is folded once (V75__stats_fold_by_transaction.sql): a turn adds the events of the
 * transactions between its cursor ({@code job_stats_cursor.from_tx}) and the job-count watermark
 * ({@link JobCounts}: every transaction below it has ended and its events are readable, on Citus
 * too) to the rows of their minutes, and moves the cursor there, in one transaction. The cursor row
 * is locked for the turn, so two instances never add the same range (an advisory lock spares the
 * second one the wait). Events are placed by {@code created_at} (their transaction's start), so a
 * long transaction's events land in the minute it began, whenever they are folded. The range is
 * read through {@code job_events_tx}; the fold used to recompute the previous and the current
 * minute every turn, reading each event 6–15 times.
 */
@Component
public class StatsRollup {

  /** Key of the advisory lock that spares a second instance the same work. */
  static final long LOCK = 0x5_0015_57A7_5L;

  static final int RETENTION_BATCH = 5000;

  /** On Citus, how often a turn deletes expired rows (one statement over every shard). */
  static final Duration PURGE_EVERY = Duration.ofMinutes(10);

  /** When this instance last purged on Citus (System.nanoTime; 0: never). */
  private volatile long lastPurge;

  /** The loop's first turn starts at the count watermark: events from then on are folded. */
  static final String INIT_CURSOR =
      """
      INSERT INTO job_stats_cursor (from_tx) SELECT tx FROM job_count_watermark
      ON CONFLICT DO NOTHING
      """;

  /**
   * Adds the events of transactions {@code [:fromTx, :toTx)} (of {@code :space}, or of every space
   * when null) to their minutes' rows. Wait = delivered − the job's {@code available_at} (creation,
   * due time or retry time); a delivery whose job has since become available again (a later retry)
   * has no sample. Run = {@code started_at} → {@code completed_at} of jobs that ended in the
   * minute. The range is read through {@code job_events_tx}.
   */
  static final String FOLD =
      """
      WITH ev AS (
          SELECT id, job_id, space_id, type, created_at,
                 date_trunc('minute', created_at) AS minute
            FROM job_events
           WHERE tx >= :fromTx AND tx < :toTx
             AND (CAST(:space AS text) IS NULL OR space_id = :space)
             AND type IN ('created', 'scheduled', 'delivered', 'completed', 'retried', 'dead',
                          'killed')
      ), counts AS (
          SELECT space_id, minute,
                 count(*) FILTER (WHERE type IN ('created', 'scheduled')) AS created,
                 count(*) FILTER (WHERE type = 'delivered') AS delivered,
                 count(*) FILTER (WHERE type = 'completed') AS completed,
                 count(*) FILTER (WHERE type = 'retried') AS retried,
                 count(*) FILTER (WHERE type = 'dead') AS dead,
                 count(*) FILTER (WHERE type = 'killed') AS killed
            FROM ev GROUP BY space_id, minute
      ), samples AS (
          SELECT ev.space_id, ev.minute, ev.type = 'delivered' AS is_wait,
                 1000 * extract(epoch FROM CASE WHEN ev.type = 'delivered'
                                                THEN ev.created_at - j.available_at
                                                ELSE j.completed_at - j.started_at END) AS ms
            FROM ev JOIN jobs j ON j.space_id = ev.space_id AND j.id = ev.job_id
           WHERE (CAST(:space AS text) IS NULL OR j.space_id = :space)
             AND ((ev.type = 'delivered' AND j.available_at <= ev.created_at)
              OR (ev.type IN ('completed', 'dead', 'killed') AND j.started_at IS NOT NULL
                  AND j.completed_at IS NOT NULL))
      ), buckets AS (
          SELECT space_id, minute, is_wait,
                 floor(4 * ln(greatest(ms, 1)) / ln(2))::int AS b, count(*) AS n
            FROM samples GROUP BY space_id, minute, is_wait, b
      ), hists AS (
          SELECT space_id, minute,
                 jsonb_object_agg(b::text, n) FILTER (WHERE is_wait) AS wait_hist,
                 jsonb_object_agg(b::text, n) FILTER (WHERE NOT is_wait) AS run_hist
            FROM buckets GROUP BY space_id, minute
      ), upserted AS (
          INSERT INTO job_stats AS s (space_id, minute, created, delivered, completed, retried,
                                      dead, killed, wait_hist, run_hist)
          SELECT c.space_id, c.minute, c.created, c.delivered, c.completed, c.retried, c.dead,
                 c.killed, h.wait_hist, h.run_hist
            FROM counts c JOIN spaces sp ON sp.id = c.space_id
            LEFT JOIN hists h ON h.space_id = c.space_id AND h.minute = c.minute
          ON CONFLICT (space_id, minute) DO UPDATE SET
              created = s.created + excluded.created,
              delivered = s.delivered + excluded.delivered,
              completed = s.completed + excluded.completed,
              retried = s.retried + excluded.retried, dead = s.dead + excluded.dead,
              killed = s.killed + excluded.killed,
              wait_hist = spool_hist_add(s.wait_hist, excluded.wait_hist),
              run_hist = spool_hist_add(s.run_hist, excluded.run_hist)
          RETURNING 1
      )
      SELECT count(*) FROM upserted
      """;

  /** Moves the cursor past the folded transactions, in the turn's transaction. */
  static final String ADVANCE = "UPDATE job_stats_cursor SET from_tx = :toTx";

  /**
   * Backlog at the end of the current minute, as far as this turn can tell. A space gets a row for
   * it while it has a backlog, and once more when the backlog is gone; quiet empty spaces get none
   * (readers carry the latest sample forward).
   */
  static final String SAMPLE_BACKLOG =
      """
      WITH b AS (
          SELECT u.space_id, u.backlog
            FROM unnest(CAST(:spaces AS text[]), CAST(:backlogs AS bigint[])) AS u(space_id, backlog)
            JOIN spaces sp ON sp.id = u.space_id
      )
      INSERT INTO job_stats (space_id, minute, backlog)
      SELECT space_id, date_trunc('minute', now()), backlog FROM b
       WHERE backlog <> 0
          OR coalesce((SELECT s.backlog FROM job_stats s
                        WHERE s.space_id = b.space_id AND s.backlog IS NOT NULL
                        ORDER BY s.minute DESC LIMIT 1), 0) <> 0
          OR EXISTS (SELECT 1 FROM job_stats s
                      WHERE s.space_id = b.space_id AND s.minute = date_trunc('minute', now()))
      ON CONFLICT (space_id, minute) DO UPDATE SET backlog = excluded.backlog
      """;

  /** On Citus: the spaces with events to fold (a read over every shard, by job_events_tx). */
  static final String SPACES_BETWEEN =
      "SELECT DISTINCT space_id FROM job_events WHERE tx >= :fromTx AND tx < :toTx";

  /**
   * {@link #SAMPLE_BACKLOG} for one space, as Citus routes it: every read of {@code job_stats}
   * names the space.
   */
  static final String SAMPLE_BACKLOG_OF_SPACE =
      """
      INSERT INTO job_stats (space_id, minute, backlog)
      SELECT sp.id, date_trunc('minute', now()), :backlog FROM spaces sp
       WHERE sp.id = :space
         AND (:backlog <> 0
              OR coalesce((SELECT s.backlog FROM job_stats s
                            WHERE s.space_id = :space AND s.backlog IS NOT NULL
                            ORDER BY s.minute DESC LIMIT 1), 0) <> 0
              OR EXISTS (SELECT 1 FROM job_stats s
                          WHERE s.space_id = :space AND s.minute = date_trunc('minute', now())))
      ON CONFLICT (space_id, minute) DO UPDATE SET backlog = excluded.backlog
      """;

  /**
   * On Citus: the spaces whose latest backlog sample is not zero, the only ones besides those with
   * a backlog now for which {@link #SAMPLE_BACKLOG_OF_SPACE} must write (once more, the zero). A
   * space's rows are on one shard, so the read runs whole on each (instead of one statement per
   * space that ever had a job). A quiet space's minute row keeps a null backlog, which readers read
   * as the latest sample carried forward: zero.
   */
  static final String SPACES_WITH_BACKLOG_SAMPLED =
      """
      SELECT space_id FROM (
          SELECT DISTINCT ON (space_id) space_id, backlog FROM job_stats
           WHERE backlog IS NOT NULL ORDER BY space_id, minute DESC) latest
       WHERE backlog <> 0
      """;

  /** On Citus: every shard at once (a ctid names a row of one shard only). */
  static final String PURGE_ALL_SHARDS =
      "DELETE FROM job_stats WHERE minute < now() - make_interval(secs => :retentionSeconds)";

  static final String PURGE =
      """
      DELETE FROM job_stats WHERE ctid = ANY (ARRAY(
          SELECT ctid FROM job_stats
           WHERE minute < now() - make_interval(secs => :retentionSeconds)
           LIMIT :batch))
      """;

  private final JdbcClient jdbc;
  private final JobCounts counts;
  private final TransactionTemplate transaction;
  private final double retentionSeconds;
  private final SpaceRouting routing;

  StatsRollup(
      JdbcClient jdbc,
      JobCounts counts,
      PlatformTransactionManager transactions,
      RetentionProperties retention,
      SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.counts = counts;
    this.transaction = new TransactionTemplate(transactions);
    this.retentionSeconds = retention.retention().toMillis() / 1000.0;
  }

  /**
   * One turn of the loop; true when more expired rows may be waiting for deletion. Skipped when
   * another instance is running one right now (it writes the same rows).
   */
  public boolean runOnce() {
    return Boolean.TRUE.equals(transaction.execute(tx -> turn(true)));
  }

  /**
   * A turn that folds every event committed before the call: it moves the count watermark past them
   * first (on Citus that takes a second or so, see {@link JobCounts}), then waits for a concurrent
   * turn to end.
   */
  public void runNow() {
    counts.foldCommitted(Duration.ofSeconds(10));
    transaction.execute(tx -> turn(false));
  }

  private boolean turn(boolean skipIfBusy) {
    String lock =
        skipIfBusy
            ? "SELECT pg_try_advisory_xact_lock(:key)"
            : "SELECT true FROM (SELECT pg_advisory_xact_lock(:key)) l";
    boolean locked = jdbc.sql(lock).param("key", LOCK).query(Boolean.class).single();
    if (!locked) {
      return false; // another instance is doing this turn's work right now
    }
    if (routing.distributed()) {
      // one connection per worker for the whole turn: Citus refuses to read a shard over another
      // connection than the one that modified it in the same transaction
      jdbc.sql("SELECT set_config('citus.multi_shard_modify_mode', 'sequential', true)")
          .query()
          .singleRow();
    }
    jdbc.sql(INIT_CURSOR).update();
    long fromTx =
        jdbc.sql("SELECT from_tx FROM job_stats_cursor FOR UPDATE").query(Long.class).single();
    // every transaction below the count watermark has ended and its events are readable
    long toTx = jdbc.sql("SELECT tx FROM job_count_watermark").query(Long.class).single();
    if (toTx > fromTx) {
      // on Citus one fold per space with events in the range, each routed to its worker
      routing.eachSpace(
          () ->
              jdbc.sql(SPACES_BETWEEN)
                  .param("fromTx", fromTx)
                  .param("toTx", toTx)
                  .query(String.class)
                  .list(),
          space -> {
            jdbc.sql(FOLD)
                .param("fromTx", fromTx)
                .param("toTx", toTx)
                .param("space", space, Types.VARCHAR)
                .query(Long.class)
                .single();
            return false;
          });
      jdbc.sql(ADVANCE).param("toTx", toTx).update();
    }
    sampleBacklog();
    if (routing.distributed()) {
      // a statement on every shard (and a two-phase commit) per turn would be most of the turn's
      // cost: expired rows wait up to PURGE_EVERY here, against a retention of days
      long now = System.nanoTime();
      if (!skipIfBusy || lastPurge == 0 || now - lastPurge >= PURGE_EVERY.toNanos()) {
        jdbc.sql(PURGE_ALL_SHARDS).param("retentionSeconds", retentionSeconds).update();
        lastPurge = now;
      }
      return false;
    }
    return jdbc.sql(PURGE)
            .param("retentionSeconds", retentionSeconds)
            .param("batch", RETENTION_BATCH)
            .update()
        >= RETENTION_BATCH;
  }

  private void sampleBacklog() {
    List<String> spaces = new ArrayList<>();
    List<Long> backlogs = new ArrayList<>();
    counts
        .allSpaces()
        .forEach(
            (space, byStatus) -> {
              spaces.add(space);
              backlogs.add(byStatus.get("scheduled") + byStatus.get("pending"));
            });
    if (spaces.isEmpty()) {
      return;
    }
    if (routing.distributed()) {
      Set<String> recent =
          new HashSet<>(jdbc.sql(SPACES_WITH_BACKLOG_SAMPLED).query(String.class).list());
      for (int i = 0; i < spaces.size(); i++) {
        if (backlogs.get(i) == 0 && !recent.contains(spaces.get(i))) {
          continue; // nothing to write: no backlog now, and the latest sample says zero
        }
        jdbc.sql(SAMPLE_BACKLOG_OF_SPACE)
            .param("space", spaces.get(i))
            .param("backlog", backlogs.get(i))
            .update();
      }
      return;
    }
    jdbc.sql(SAMPLE_BACKLOG)
        .param("spaces", spaces.toArray(String[]::new))
        .param("backlogs", backlogs.toArray(Long[]::new))
        .update();
  }
}
