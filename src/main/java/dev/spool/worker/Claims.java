package dev.spool.worker;

import dev.spool.common.DbNow;
import dev.spool.common.Ids;
import dev.spool.database.DurableCommits;
import dev.spool.database.SpaceRouting;
import dev.spool.job.ClaimSql;
import dev.spool.job.JobRepository;
import dev.spool.job.JobStatements;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands jobs to workers: runs the claim statements of {@link ClaimSql} (one statement per poll or
 * claim, FOR UPDATE SKIP LOCKED) with fresh delivery ids, and makes them durable before answering.
 */
@Component
class Claims {

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
  private final DbNow now;
  private final JsonMapper json = JsonMapper.builder().build();

  private final SpaceRouting routing;
  private final JobStatements statements;

  Claims(
      JdbcClient jdbc,
      DurableCommits durable,
      DbNow now,
      SpaceRouting routing,
      JobStatements statements) {
    this.statements = statements;
    this.durable = durable;
    this.routing = routing;
    this.now = now;
    this.jdbc = jdbc;
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
    boolean ownFlush = !routing.distributed();
    String sql = ClaimSql.claimAvailable(!names.isEmpty(), ack, ownFlush);
    String deliveriesJson = json.writeValueAsString(deliveries);
    String namesJson = names.isEmpty() ? null : json.writeValueAsString(names);
    UnaryOperator<JdbcClient.StatementSpec> bind =
        s -> {
          s =
              now.bind(s)
                  .param("space", spaceId)
                  .param("count", count)
                  .param("deliveries", deliveriesJson);
          if (ownFlush) {
            s = s.param("deferFlush", durable.enabled());
          }
          return namesJson == null ? s : s.param("names", namesJson);
        };
    // one PostgreSQL: one autocommit statement that defers its own flush, with no BEGIN,
    // set_config and COMMIT round trips around it (a poll at a trickle claims one job per
    // statement)
    return ownFlush
        ? durable.flushedAfter(() -> statements.list(sql, bind, MAPPER))
        : durable.write(() -> statements.list(sql, bind, MAPPER));
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
    String delivery = Ids.next();
    List<Delivery> claimed =
        durable.write(
            () ->
                statements.list(
                    ack ? ClaimSql.CLAIM_ONE_ACKED : ClaimSql.CLAIM_ONE,
                    s ->
                        now.bind(s)
                            .param("id", jobId)
                            .param("space", space, Types.VARCHAR)
                            .param("delivery", delivery),
                    MAPPER));
    return claimed.stream().findFirst();
  }

  boolean spaceExists(String spaceId) {
    return Ids.isValid(spaceId)
        && Boolean.TRUE.equals(
            jdbc.sql(SPACE_EXISTS).param("id", spaceId).query(Boolean.class).single());
  }
}
