package dev.spool.realtime;

import dev.spool.job.JobCounts;
import dev.spool.job.JobRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The reads of the realtime feed. A state read together with the snapshot it was read under ({@link
 * TxSnapshot}) runs in one REPEATABLE READ transaction so that both belong together; the fetch of
 * committed transactions' events is one statement, hence one snapshot.
 */
@Component
class FeedQueries {

  /**
   * Committed transactions' events in the order they were written, with their job and the status
   * change each records (see JobCounts): the net change per space and status of a transaction is
   * summed from these rows.
   */
  static final String EVENTS_OF_TX =
      """
      SELECT e.id, e.tx, e.job_id, e.space_id, e.type, e.data::text AS data, e.created_at,
             j.name, j.status AS job_status, e.from_status, e.to_status
        FROM job_events e JOIN jobs j ON j.space_id = e.space_id AND j.id = e.job_id
       WHERE e.tx IN (:txs) AND e.space_id IN (:spaces)
       ORDER BY e.id
      """;

  static final String SNAPSHOT = "SELECT txid_current_snapshot()::text";

  static final String SPACE_EXISTS = "SELECT count(*) FROM spaces WHERE id = :id";

  /**
   * What one transaction published. {@code deltasComplete} is always true now that the deltas are
   * read from the events themselves (kept for the feed's check).
   */
  record TxEvents(
      List<StoredEvent> events, Map<String, Map<String, Long>> deltas, boolean deltasComplete) {}

  /** What a batch of transactions published. */
  record Fetched(Map<Long, TxEvents> byTx) {
    TxEvents of(long tx) {
      return byTx.getOrDefault(tx, new TxEvents(List.of(), Map.of(), true));
    }
  }

  /** Counts per status of one space and the snapshot they were read under. */
  record CountsSnapshot(TxSnapshot snapshot, Map<String, Long> counts) {}

  private final JdbcClient jdbc;
  private final JobCounts counts;
  private final TransactionTemplate repeatableRead;

  FeedQueries(JdbcClient jdbc, JobCounts counts, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.counts = counts;
    this.repeatableRead = new TransactionTemplate(transactions);
    repeatableRead.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    repeatableRead.setReadOnly(true);
  }

  /**
   * The events of committed transactions in the given spaces, with their count deltas. Runs on its
   * own, outside any transaction: this is the realtime feed's hot path, and one autocommit
   * statement is one round trip where a REPEATABLE READ transaction costs five (isolation, begin,
   * two reads, commit, isolation again) — each a wait for the database on a busy machine.
   */
  Fetched eventsOf(Collection<Long> txs, Collection<String> spaces) {
    Map<Long, List<StoredEvent>> events = new HashMap<>();
    Map<Long, Map<String, Map<String, Long>>> deltas = new HashMap<>();
    jdbc.sql(EVENTS_OF_TX)
        .param("txs", txs)
        .param("spaces", spaces)
        .query(
            rs -> {
              long tx = rs.getLong("tx");
              String space = rs.getString("space_id");
              String from = rs.getString("from_status");
              String to = rs.getString("to_status");
              if (to != null) {
                Map<String, Long> ofSpace =
                    deltas
                        .computeIfAbsent(tx, t -> new HashMap<>())
                        .computeIfAbsent(space, sp -> new LinkedHashMap<>());
                ofSpace.merge(to, 1L, Long::sum);
                if (from != null) {
                  ofSpace.merge(from, -1L, Long::sum);
                }
              }
              events
                  .computeIfAbsent(tx, t -> new ArrayList<>())
                  .add(
                      new StoredEvent(
                          rs.getLong("id"),
                          tx,
                          rs.getString("job_id"),
                          space,
                          rs.getString("type"),
                          rs.getString("data"),
                          JobRepository.ts(rs, "created_at"),
                          rs.getString("name"),
                          rs.getString("job_status")));
            });
    // a status left and re-entered within one transaction nets to zero: not a change
    deltas
        .values()
        .forEach(bySpace -> bySpace.values().forEach(m -> m.values().removeIf(n -> n == 0L)));
    Map<Long, TxEvents> byTx = new HashMap<>();
    events.forEach(
        (tx, list) -> byTx.put(tx, new TxEvents(list, deltas.getOrDefault(tx, Map.of()), true)));
    return new Fetched(byTx);
  }

  CountsSnapshot countsOf(String spaceId) {
    return repeatableRead.execute(
        status -> {
          TxSnapshot snapshot = TxSnapshot.parse(jdbc.sql(SNAPSHOT).query(String.class).single());
          return new CountsSnapshot(snapshot, counts.forSpace(spaceId));
        });
  }

  /** A job's current state for a job stream's {@code init}, with the snapshot it was read under. */
  record JobState(
      TxSnapshot snapshot,
      String status,
      String progress,
      String result,
      String lastError,
      int attemptNumber) {}

  /**
   * What a job stream's {@code init} shows, and nothing more: a progress-only view (often
   * token-less) never reads the result or the payload, which may be a megabyte each.
   */
  static final String JOB_STATE =
      """
      SELECT status, progress::text AS progress, attempt_number,
             CASE WHEN :full THEN result::text END AS result,
             CASE WHEN :full THEN last_error END AS last_error
        FROM jobs WHERE id = :id
      """;

  Optional<JobState> jobState(String jobId, boolean full) {
    return repeatableRead.execute(
        status -> {
          TxSnapshot snapshot = TxSnapshot.parse(jdbc.sql(SNAPSHOT).query(String.class).single());
          return jdbc.sql(JOB_STATE)
              .param("id", jobId)
              .param("full", full)
              .query(
                  (rs, n) ->
                      new JobState(
                          snapshot,
                          rs.getString("status"),
                          rs.getString("progress"),
                          rs.getString("result"),
                          rs.getString("last_error"),
                          rs.getInt("attempt_number")))
              .optional();
        });
  }

  boolean spaceExists(String spaceId) {
    return jdbc.sql(SPACE_EXISTS).param("id", spaceId).query(Long.class).single() > 0;
  }
}
