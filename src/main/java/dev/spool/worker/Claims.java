package dev.spool.worker;

import dev.spool.common.Ids;
import dev.spool.database.DurableCommits;
import dev.spool.database.SpaceRouting;
import dev.spool.job.JobRepository;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands jobs to workers. A poll claims in one statement: lock up to {@code count} available rows
 * with {@code FOR UPDATE SKIP LOCKED} (concurrent polls take different rows and never wait on each
 * other; a row whose status changed meanwhile is re-checked by the lock and dropped), mark them
 * delivered with a fresh delivery id and deadline, and append their {@code delivered} events.
 * Scheduled jobs that are due count as available, so promotion lag never delays delivery.
 */
@Component
class Claims {

  /** Oldest first by (available_at, id): the order of the {@code jobs_claimable} index. */
  private static final String CLAIM_AVAILABLE_TEMPLATE =
      """
      WITH picked AS (
          SELECT id, available_at, status FROM jobs
           WHERE space_id = :space AND status IN ('pending', 'scheduled')
             AND available_at <= now() %s
           ORDER BY available_at, id
           LIMIT :count
             FOR UPDATE SKIP LOCKED
      ), numbered AS (
          SELECT id, available_at, status, row_number() OVER (ORDER BY available_at, id) AS n
            FROM picked
      ), u AS (
          UPDATE jobs j SET status = %s,
                 delivery_id = CAST(:deliveries AS json) ->> (n.n - 1)::int,
                 deadline_at = spool_after(now(), j.timeout_seconds),
                 delivered_at = now(), %s updated_at = now()
            FROM numbered n
           WHERE j.space_id = :space AND j.id = n.id AND j.status IN ('pending', 'scheduled')
          RETURNING j.id, j.space_id, j.name, j.payload, j.timeout_seconds, j.max_retries,
                    j.attempt_number, j.created_at, j.delivery_id, j.available_at, j.status,
                    n.status AS from_status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT u.id, u.space_id, e.type, e.data, u.attempt_number, e.from_status, e.to_status
            FROM u %s
           ORDER BY u.available_at, u.id, e.ord
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id, status
        FROM u, note ORDER BY available_at, id
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
    "started_at = now(),",
    "CROSS JOIN LATERAL (VALUES (1, 'delivered', json_build_object('deliveryId', u.delivery_id),"
        + " u.from_status, 'delivered'), (2, 'acked', NULL, 'delivered', 'running'))"
        + " AS e(ord, type, data, from_status, to_status)"
  };

  private static String claimAvailable(String filter, String[] mode) {
    return CLAIM_AVAILABLE_TEMPLATE.formatted(filter, mode[0], mode[1], mode[2]);
  }

  static final String CLAIM_ANY = claimAvailable("", DELIVER);
  static final String CLAIM_NAMED = claimAvailable(BY_NAME, DELIVER);
  static final String CLAIM_ANY_ACKED = claimAvailable("", DELIVER_AND_ACK);
  static final String CLAIM_NAMED_ACKED = claimAvailable(BY_NAME, DELIVER_AND_ACK);

  /** Claims one job by id: pending, or scheduled and due. */
  private static final String CLAIM_ONE_TEMPLATE =
      """
      WITH u AS (
          UPDATE jobs SET status = %s, previous_status = status,
                 delivery_id = :delivery,
                 deadline_at = spool_after(now(), timeout_seconds),
                 delivered_at = now(), %s updated_at = now()
           WHERE id = :id AND (CAST(:space AS text) IS NULL OR space_id = :space)
             AND (status = 'pending' OR (status = 'scheduled' AND available_at <= now()))
          RETURNING id, space_id, name, payload, timeout_seconds, max_retries, attempt_number,
                    created_at, delivery_id, status, previous_status AS from_status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT u.id, u.space_id, e.type, e.data, u.attempt_number, e.from_status, e.to_status
            FROM u %s
           ORDER BY e.ord
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id, status
        FROM u, note
      """;

  static final String CLAIM_ONE = CLAIM_ONE_TEMPLATE.formatted((Object[]) DELIVER);
  static final String CLAIM_ONE_ACKED = CLAIM_ONE_TEMPLATE.formatted((Object[]) DELIVER_AND_ACK);

  private static final String SPACE_EXISTS = "SELECT EXISTS (SELECT 1 FROM spaces WHERE id = :id)";

  private static final RowMapper<Delivery> MAPPER =
      (rs, n) ->
          new Delivery(
              rs.getString("id"),
              rs.getString("name"),
              rs.getString("payload"),
              rs.getInt("timeout_seconds"),
              rs.getInt("max_retries"),
              rs.getInt("attempt_number"),
              JobRepository.ts(rs, "created_at"),
              rs.getString("delivery_id"),
              "running".equals(rs.getString("status")) ? "running" : null);

  private final JdbcClient jdbc;
  private final DurableCommits durable;
  private final JsonMapper json = JsonMapper.builder().build();

  private final SpaceRouting routing;

  Claims(JdbcClient jdbc, DurableCommits durable, SpaceRouting routing) {
    this.durable = durable;
    this.routing = routing;
    this.jdbc = jdbc;
  }

  /** Claims what the poll asks for: its count, its name filter, with or without ack. */
  List<Delivery> claim(String spaceId, PollRequest poll) {
    return claim(spaceId, poll.names(), poll.count(), poll.ack());
  }

  /**
   * Claims up to {@code count} available jobs of the space, oldest first.
   *
   * @param ack start them at once (ack on poll): running, not delivered
   */
  List<Delivery> claim(String spaceId, List<String> names, int count, boolean ack) {
    List<String> deliveries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      deliveries.add(Ids.next());
    }
    JdbcClient.StatementSpec spec =
        jdbc.sql(
                names.isEmpty()
                    ? (ack ? CLAIM_ANY_ACKED : CLAIM_ANY)
                    : (ack ? CLAIM_NAMED_ACKED : CLAIM_NAMED))
            .param("space", spaceId)
            .param("count", count)
            .param("deliveries", json.writeValueAsString(deliveries));
    if (!names.isEmpty()) {
      spec = spec.param("names", json.writeValueAsString(names));
    }
    JdbcClient.StatementSpec claim = spec;
    return durable.write(() -> claim.query(MAPPER).list());
  }

  /**
   * Claims one job by id when it is available.
   *
   * @param callerSpace the caller's space, or null for an admin key
   * @param ack start it at once (ack on claim): running, not delivered
   */
  Optional<Delivery> claimOne(String jobId, String callerSpace, boolean ack) {
    // on Citus an admin call first resolves the job's space, so the statement names its shard
    String space = routing.route(jobId, callerSpace);
    if (space == null && routing.distributed()) {
      return Optional.empty();
    }
    return durable.write(
        () ->
            jdbc.sql(ack ? CLAIM_ONE_ACKED : CLAIM_ONE)
                .param("id", jobId)
                .param("space", space, Types.VARCHAR)
                .param("delivery", Ids.next())
                .query(MAPPER)
                .optional());
  }

  boolean spaceExists(String spaceId) {
    return Ids.isValid(spaceId)
        && Boolean.TRUE.equals(
            jdbc.sql(SPACE_EXISTS).param("id", spaceId).query(Boolean.class).single());
  }
}
