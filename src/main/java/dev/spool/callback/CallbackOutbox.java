package dev.spool.callback;

import dev.spool.database.SpaceRouting;
import dev.spool.job.JobRepository;
import dev.spool.job.JobSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of the callback outbox. Rows are inserted by the {@code jobs_callback_outbox} trigger
 * (V30) in the transaction that makes a job terminal; this class claims due rows under a lease and
 * records each attempt with an update that applies only while the lease is still ours.
 */
@Component
class CallbackOutbox {

  /*
   * Claims due deliveries for this instance. SKIP LOCKED lets concurrent dispatchers take disjoint
   * rows; moving next_attempt_at to the lease end keeps a claimed row out of every other claim
   * until the lease expires (the sender died) or the attempt is recorded. The signing secrets are
   * read now, so a retry after a rotation is signed with the current secret.
   */
  /** One index probe, so a wake-up with nothing due costs no transaction. */
  static final String ANY_DUE =
      """
      SELECT EXISTS (SELECT 1 FROM callback_deliveries
                      WHERE state = 'pending' AND next_attempt_at <= now())
      """;

  /**
   * Claims due deliveries fairly: walks the spaces that have pending deliveries (a loose index
   * scan, one probe per space), takes from each at most its share — the in-flight cap minus its
   * attempts already in flight on any instance — and hands them out round-robin (every space's
   * oldest due first, then every space's second, …). A space with thousands of due callbacks to a
   * receiver that hangs thus holds at most the cap of senders, and the others' callbacks go out at
   * once.
   */
  static final String CLAIM_DUE =
      """
      WITH RECURSIVE pending_spaces AS (
          (SELECT space_id FROM callback_deliveries
            WHERE state = 'pending' ORDER BY space_id LIMIT 1)
          UNION ALL
          SELECT (SELECT c.space_id FROM callback_deliveries c
                   WHERE c.state = 'pending' AND c.space_id > p.space_id
                   ORDER BY c.space_id LIMIT 1)
            FROM pending_spaces p WHERE p.space_id IS NOT NULL
      ), in_flight AS (
          SELECT space_id, count(*) AS n FROM callback_deliveries
           WHERE lease_token IS NOT NULL AND state = 'pending' AND lease_until > now()
           GROUP BY space_id
      ), picks AS (
          SELECT pick.id, pick.turn, pick.next_attempt_at
            FROM pending_spaces p
            LEFT JOIN in_flight f ON f.space_id = p.space_id
            CROSS JOIN LATERAL (
                SELECT c.id, c.next_attempt_at,
                       row_number() OVER (ORDER BY c.next_attempt_at) AS turn
                  FROM callback_deliveries c
                 WHERE c.space_id = p.space_id AND c.state = 'pending'
                   AND c.next_attempt_at <= now()
                 ORDER BY c.next_attempt_at
                 LIMIT GREATEST(0, :perSpace - coalesce(f.n, 0))
            ) pick
           WHERE p.space_id IS NOT NULL
      ), due AS (
          SELECT c.id FROM callback_deliveries c
           WHERE c.id IN (SELECT id FROM picks ORDER BY turn, next_attempt_at LIMIT :limit)
             AND c.state = 'pending' AND c.next_attempt_at <= now()
             FOR UPDATE SKIP LOCKED
      )
      UPDATE callback_deliveries d
         SET lease_token = :token,
             lease_until = now() + :leaseMs * interval '1 millisecond',
             next_attempt_at = now() + :leaseMs * interval '1 millisecond',
             updated_at = now()
        FROM due, spaces s
       WHERE d.id = due.id AND s.id = d.space_id
      RETURNING d.id, d.job_id, d.space_id, d.url, d.headers::text AS headers, d.body, d.attempts,
                s.signing_secret,
                CASE WHEN s.previous_secret_expires_at > now()
                     THEN s.previous_signing_secret END AS previous_secret
      """;

  /** On Citus: {@link #ANY_DUE} in one space (one shard), for a turn woken by its commits. */
  static final String ANY_DUE_IN_SPACE =
      """
      SELECT EXISTS (SELECT 1 FROM callback_deliveries
                      WHERE space_id = :space AND state = 'pending' AND next_attempt_at <= now())
      """;

  /** On Citus ({@code SPOOL_DISTRIBUTED=citus}): the spaces with due deliveries. */
  static final String CLAIM_DUE_SPACES =
      """
      SELECT DISTINCT space_id FROM callback_deliveries
       WHERE state = 'pending' AND next_attempt_at <= now()
      """;

  /**
   * On Citus, {@link #CLAIM_DUE} for one space (a statement must name its shard): the space's
   * oldest due deliveries, at most its share (the cap minus its attempts in flight on any
   * instance).
   */
  static final String CLAIM_DUE_IN_SPACE =
      """
      WITH due AS (
          SELECT c.space_id, c.id FROM callback_deliveries c
           WHERE c.space_id = :space AND c.state = 'pending' AND c.next_attempt_at <= now()
           ORDER BY c.next_attempt_at
           LIMIT GREATEST(0, LEAST(:limit, :perSpace - (
                     SELECT count(*) FROM callback_deliveries f
                      WHERE f.space_id = :space AND f.lease_token IS NOT NULL
                        AND f.state = 'pending' AND f.lease_until > now())))
             FOR UPDATE SKIP LOCKED
      ), secrets AS (
          SELECT signing_secret,
                 CASE WHEN previous_secret_expires_at > now()
                      THEN previous_signing_secret END AS previous_secret
            FROM spaces WHERE id = :space
      )
      UPDATE callback_deliveries d
         SET lease_token = :token,
             lease_until = now() + :leaseMs * interval '1 millisecond',
             next_attempt_at = now() + :leaseMs * interval '1 millisecond',
             updated_at = now()
        FROM due, secrets s
       WHERE d.space_id = :space AND d.space_id = due.space_id AND d.id = due.id
      RETURNING d.id, d.job_id, d.space_id, d.url, d.headers::text AS headers, d.body, d.attempts,
                s.signing_secret, s.previous_secret
      """;

  /**
   * Serializes claims over all instances for the claim's transaction, so the in-flight count a
   * claim reads includes every claim committed before it and the per-space cap holds exactly.
   * Claims take milliseconds; the senders never hold it.
   */
  static final String CLAIM_LOCK = "SELECT pg_advisory_xact_lock(:key)";

  /** The claim lock's key: arbitrary, distinct from the other advisory locks of Spool. */
  static final long CLAIM_LOCK_KEY = 0x73706f6f6c636c61L; // "spoolcla"

  /**
   * Records one attempt: the delivery's new state, the attempt row and the job event, in one
   * statement, only if the lease is still ours (else nothing: another instance took over).
   */
  static final String RECORD_ATTEMPT =
      """
      WITH d AS (
          UPDATE callback_deliveries
             SET state = CAST(:state AS text),
                 attempts = attempts + 1,
                 next_attempt_at = now() + CAST(:delayMs AS bigint) * interval '1 millisecond',
                 lease_until = NULL, lease_token = NULL, updated_at = now()
           WHERE space_id = :space AND id = :id AND lease_token = :token AND state = 'pending'
          RETURNING id, job_id, space_id, url
      ), a AS (
          INSERT INTO callback_attempts (delivery_id, job_id, space_id, url, retry_attempt,
                                         status_code, error, response_body, will_retry)
          SELECT id, job_id, space_id, url, :retryAttempt, CAST(:statusCode AS integer),
                 CAST(:error AS text), CAST(:responseBody AS text), :willRetry
            FROM d
      ), j AS MATERIALIZED (
          -- a CTE of its own, so that on Citus the event is inserted through the coordinator (with
          -- the coordinator's txid as its tx, as the notification says), not pushed into a shard
          SELECT j.attempt_number FROM jobs j
           WHERE j.space_id = :space AND j.id = (SELECT job_id FROM d)
      ), %s
      SELECT count(*) FROM ev, note
      """
          .formatted(
              JobSql.appendEvents(
                  """
                      SELECT d.job_id, d.space_id, CAST(:type AS text), CAST(:data AS json),
                             j.attempt_number, NULL, NULL
                        FROM d, j
                  """));

  static final String ATTEMPTS_OF_JOB =
      """
      SELECT delivery_id, url, retry_attempt, status_code, error, response_body, will_retry,
             created_at
        FROM callback_attempts WHERE job_id = :job AND space_id = :space ORDER BY id
      """;

  /** A claimed delivery, with the secrets to sign it. */
  record Delivery(
      String id,
      String jobId,
      String spaceId,
      String url,
      String headersJson,
      String body,
      int attempts,
      String secret,
      String previousSecret) {}

  /** What one attempt did. */
  record Attempt(
      String type,
      String state,
      Duration delay,
      int retryAttempt,
      Integer statusCode,
      String error,
      String responseBody,
      boolean willRetry,
      String eventJson) {}

  /** One row of {@code GET /jobs/:id/callbacks}. */
  record AttemptView(
      String webhookId,
      String url,
      int retryAttempt,
      Integer statusCode,
      String error,
      String responseBody,
      boolean willRetry,
      String createdAt) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  private final SpaceRouting routing;

  /** Claim turns on Citus: each starts the walk over the spaces one further. */
  private final AtomicLong turns = new AtomicLong();

  CallbackOutbox(JdbcClient jdbc, PlatformTransactionManager transactions, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.tx = new TransactionTemplate(transactions);
  }

  /**
   * Runs claim and record bookkeeping without waiting for the WAL flush at commit. Losing the last
   * moments of bookkeeping in a database crash can only make a delivery due again, i.e. sent once
   * more with the same webhook-id — which at-least-once delivery allows anyway — while waiting for
   * a flush per callback caps throughput at the disk's commit rate (measured: 4×,
   * docs/benchmarks.md). The terminal transition that created the delivery is not affected.
   */
  private <T> T withoutFlushWait(Supplier<T> work) {
    return tx.execute(
        status -> {
          jdbc.sql("SET LOCAL synchronous_commit = off").update();
          return work.get();
        });
  }

  List<Delivery> claimDue(int limit, int perSpace, String token, Duration lease) {
    return claimDue(limit, perSpace, token, lease, null);
  }

  /**
   * @param only on Citus, the spaces to look at ({@link NotifiedSpaces}), or null for every space
   */
  List<Delivery> claimDue(int limit, int perSpace, String token, Duration lease, Set<String> only) {
    List<String> spaces = null;
    if (only != null) {
      spaces = new ArrayList<>();
      for (String space : only) {
        if (jdbc.sql(ANY_DUE_IN_SPACE).param("space", space).query(Boolean.class).single()) {
          spaces.add(space);
        }
      }
      if (spaces.isEmpty()) {
        return List.of();
      }
    } else if (!jdbc.sql(ANY_DUE).query(Boolean.class).single()) {
      return List.of();
    }
    List<String> inSpaces = spaces;
    return withoutFlushWait(() -> claim(limit, perSpace, token, lease, inSpaces));
  }

  /** Whether the tables are distributed (Citus), where claims run space by space. */
  boolean distributed() {
    return routing.distributed();
  }

  private List<Delivery> claim(
      int limit, int perSpace, String token, Duration lease, List<String> spaces) {
    jdbc.sql(CLAIM_LOCK).param("key", CLAIM_LOCK_KEY).query().singleRow();
    if (routing.distributed()) {
      return claimSpaceBySpace(
          spaces != null ? spaces : jdbc.sql(CLAIM_DUE_SPACES).query(String.class).list(),
          limit,
          perSpace,
          token,
          lease);
    }
    return roundRobin(
        query(
            jdbc.sql(CLAIM_DUE)
                .param("limit", limit)
                .param("perSpace", perSpace)
                .param("token", token)
                .param("leaseMs", lease.toMillis())));
  }

  /**
   * On Citus: {@link #CLAIM_DUE} space by space, each claim routed to its space's worker, with the
   * same fairness — rounds in which every space that may still have due deliveries takes an equal
   * share of what is left (at least one), the spaces in an order that starts one further on each
   * turn, and the claimed deliveries handed out round-robin (every space's oldest first, then every
   * space's second, …). The per-space cap is the statement's, which counts the leases this
   * transaction took in earlier rounds.
   */
  private List<Delivery> claimSpaceBySpace(
      List<String> due, int limit, int perSpace, String token, Duration lease) {
    List<String> spaces = new ArrayList<>(due);
    if (spaces.isEmpty()) {
      return List.of();
    }
    Collections.sort(spaces);
    Collections.rotate(spaces, -Math.floorMod(turns.getAndIncrement(), spaces.size()));
    List<Delivery> claimed = new ArrayList<>();
    int left = limit;
    List<String> open = spaces;
    while (left > 0 && !open.isEmpty()) {
      int share = Math.max(1, left / open.size());
      List<String> more = new ArrayList<>();
      for (String space : open) {
        int take = Math.min(share, left);
        if (take == 0) {
          break;
        }
        List<Delivery> got =
            query(
                jdbc.sql(CLAIM_DUE_IN_SPACE)
                    .param("space", space)
                    .param("limit", take)
                    .param("perSpace", perSpace)
                    .param("token", token)
                    .param("leaseMs", lease.toMillis()));
        claimed.addAll(got);
        left -= got.size();
        if (got.size() == take) {
          more.add(space); // it may have more
        }
      }
      open = more;
    }
    return roundRobin(claimed); // the first round met the spaces in the walk's order
  }

  /**
   * The claimed deliveries, every space's first, then every space's second, …: an {@code UPDATE …
   * RETURNING} gives its rows in no particular order, so the order the claim chose them in is
   * restored here, spaces in the order they first appear.
   */
  static List<Delivery> roundRobin(List<Delivery> claimed) {
    Map<String, List<Delivery>> bySpace = new LinkedHashMap<>();
    for (Delivery d : claimed) {
      bySpace.computeIfAbsent(d.spaceId(), k -> new ArrayList<>()).add(d);
    }
    List<Delivery> ordered = new ArrayList<>(claimed.size());
    for (int turn = 0; ordered.size() < claimed.size(); turn++) {
      for (List<Delivery> own : bySpace.values()) {
        if (turn < own.size()) {
          ordered.add(own.get(turn));
        }
      }
    }
    return ordered;
  }

  private static List<Delivery> query(JdbcClient.StatementSpec claim) {
    return claim
        .query(
            (rs, n) ->
                new Delivery(
                    rs.getString("id"),
                    rs.getString("job_id"),
                    rs.getString("space_id"),
                    rs.getString("url"),
                    rs.getString("headers"),
                    rs.getString("body"),
                    rs.getInt("attempts"),
                    rs.getString("signing_secret"),
                    rs.getString("previous_secret")))
        .list();
  }

  /** True when recorded; false when the lease had been lost (nothing written). */
  boolean record(Delivery delivery, String token, Attempt attempt) {
    int rows =
        withoutFlushWait(
            () ->
                jdbc.sql(RECORD_ATTEMPT)
                    .param("state", attempt.state())
                    .param("delayMs", attempt.delay().toMillis())
                    .param("id", delivery.id())
                    .param("space", delivery.spaceId())
                    .param("token", token)
                    .param("retryAttempt", attempt.retryAttempt())
                    .param("statusCode", attempt.statusCode())
                    .param("error", attempt.error())
                    .param("responseBody", attempt.responseBody())
                    .param("willRetry", attempt.willRetry())
                    .param("type", attempt.type())
                    .param("data", attempt.eventJson())
                    .query(Integer.class)
                    .single());
    return rows > 0;
  }

  List<AttemptView> attemptsOf(String jobId, String spaceId) {
    return jdbc.sql(ATTEMPTS_OF_JOB)
        .param("job", jobId)
        .param("space", spaceId)
        .query(
            (rs, n) ->
                new AttemptView(
                    rs.getString("delivery_id"),
                    rs.getString("url"),
                    rs.getInt("retry_attempt"),
                    (Integer) rs.getObject("status_code"),
                    rs.getString("error"),
                    rs.getString("response_body"),
                    rs.getBoolean("will_retry"),
                    JobRepository.ts(rs, "created_at")))
        .list();
  }
}
