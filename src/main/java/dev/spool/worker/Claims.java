package dev.spool.worker;

import dev.spool.job.JobRepository;
import dev.spool.system.DurableCommits;
import dev.spool.system.Ids;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private static final String CLAIM_AVAILABLE =
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
          UPDATE jobs j SET status = 'delivered',
                 delivery_id = CAST(:deliveries AS json) ->> (n.n - 1)::int,
                 deadline_at = now() + j.timeout_seconds * interval '1 second',
                 delivered_at = now(), updated_at = now()
            FROM numbered n
           WHERE j.space_id = :space AND j.id = n.id AND j.status IN ('pending', 'scheduled')
          RETURNING j.id, j.space_id, j.name, j.payload, j.timeout_seconds, j.max_retries,
                    j.attempt_number, j.created_at, j.delivery_id, j.available_at,
                    n.status AS from_status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, 'delivered', json_build_object('deliveryId', delivery_id),
                 attempt_number, from_status, 'delivered'
            FROM u ORDER BY available_at, id
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id
        FROM u, note ORDER BY available_at, id
      """;

  private static final String BY_NAME =
      "AND name = ANY (ARRAY(SELECT json_array_elements_text(CAST(:names AS json))))";

  static final String CLAIM_ANY = CLAIM_AVAILABLE.formatted("");
  static final String CLAIM_NAMED = CLAIM_AVAILABLE.formatted(BY_NAME);

  /** Claims one job by id: pending, or scheduled and due. */
  static final String CLAIM_ONE =
      """
      WITH u AS (
          UPDATE jobs SET status = 'delivered', previous_status = status,
                 delivery_id = :delivery,
                 deadline_at = now() + timeout_seconds * interval '1 second',
                 delivered_at = now(), updated_at = now()
           WHERE id = :id AND (CAST(:space AS text) IS NULL OR space_id = :space)
             AND (status = 'pending' OR (status = 'scheduled' AND available_at <= now()))
          RETURNING id, space_id, name, payload, timeout_seconds, max_retries, attempt_number,
                    created_at, delivery_id, previous_status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, 'delivered', json_build_object('deliveryId', delivery_id),
                 attempt_number, previous_status, 'delivered'
            FROM u
          RETURNING space_id
      ), note AS (
          SELECT spool_notify_events(array_agg(space_id)) FROM ev
      )
      SELECT id, name, payload::text AS payload, timeout_seconds, max_retries, attempt_number,
             created_at, delivery_id
        FROM u, note
      """;

  /**
   * For each space: whether a job is available now, and else milliseconds until the next one falls
   * due (scheduled for later, or waiting out a retry backoff), null when none. Two index probes per
   * space on {@code jobs_claimable}.
   */
  private static final String OUTLOOK =
      """
      SELECT s.id AS space_id,
             EXISTS (SELECT 1 FROM jobs j
                      WHERE j.space_id = s.id AND j.status IN ('pending', 'scheduled')
                        AND j.available_at <= now()) AS available,
             (SELECT EXTRACT(EPOCH FROM min(j.available_at) - now()) * 1000 FROM jobs j
               WHERE j.space_id = s.id AND j.status IN ('pending', 'scheduled')
                 AND j.available_at > now()) AS millis
        FROM json_array_elements_text(CAST(:spaces AS json)) AS s(id)
      """;

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
              rs.getString("delivery_id"));

  private final JdbcClient jdbc;
  private final DurableCommits durable;
  private final JsonMapper json = JsonMapper.builder().build();

  Claims(JdbcClient jdbc, DurableCommits durable) {
    this.durable = durable;
    this.jdbc = jdbc;
  }

  /** Claims up to {@code count} available jobs of the space, oldest first. */
  List<Delivery> claim(String spaceId, List<String> names, int count) {
    List<String> deliveries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      deliveries.add(Ids.next());
    }
    JdbcClient.StatementSpec spec =
        jdbc.sql(names.isEmpty() ? CLAIM_ANY : CLAIM_NAMED)
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
   */
  Optional<Delivery> claimOne(String jobId, String callerSpace) {
    return durable.write(
        () ->
            jdbc.sql(CLAIM_ONE)
                .param("id", jobId)
                .param("space", callerSpace, Types.VARCHAR)
                .param("delivery", Ids.next())
                .query(MAPPER)
                .optional());
  }

  /**
   * What waiting polls of a space can expect.
   *
   * @param availableNow a job (of any name) can be claimed now
   * @param nextDueMillis milliseconds until the next job falls due, or null when none is waiting
   */
  record Outlook(boolean availableNow, Long nextDueMillis) {}

  Map<String, Outlook> outlook(Collection<String> spaceIds) {
    Map<String, Outlook> out = new HashMap<>();
    jdbc.sql(OUTLOOK)
        .param("spaces", json.writeValueAsString(spaceIds))
        .query(
            (rs, n) -> {
              double millis = rs.getDouble("millis");
              Long next = rs.wasNull() ? null : (long) Math.ceil(millis);
              out.put(rs.getString("space_id"), new Outlook(rs.getBoolean("available"), next));
              return null;
            })
        .list();
    return out;
  }

  boolean spaceExists(String spaceId) {
    return Ids.isValid(spaceId)
        && Boolean.TRUE.equals(
            jdbc.sql(SPACE_EXISTS).param("id", spaceId).query(Boolean.class).single());
  }
}
