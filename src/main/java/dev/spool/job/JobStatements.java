package dev.spool.job;

import dev.spool.database.SpaceRouting;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the statements that change jobs of one space (claims, acks, completes, fails, kills,
 * progress, checkpoints, custom events, keepalives, creates, the promoter's and the timeout
 * rescuer's) so that on Citus each write stays on the one worker that holds its space.
 *
 * <p>On one PostgreSQL a statement runs as written: one autocommit statement (or one statement of
 * the caller's transaction) changes the jobs, appends their events and notifies.
 *
 * <p>On Citus ({@code SPOOL_DISTRIBUTED=citus}) that form would commit on every worker with
 * two-phase commit (see {@link JobSql#eventsReturned}). There the write is two statements of one
 * transaction: the statement with its events returned instead of inserted, which names one space
 * and so runs whole on that space's worker; then one {@code INSERT … VALUES} of those events,
 * routed to the same worker, whose {@code tx} default and id sequence the coordinator evaluates
 * (the coordinator's transaction id, which the notification carries), with the notifications issued
 * on the coordinator in the same statement. The transaction touches one worker and commits there in
 * one phase (a create's insert goes through the coordinator, which Citus prepares even on one
 * worker). A statement that answers with its event's id takes that id first ({@link
 * #listAnsweringEventId}). A statement over several spaces (an admin call's group) still works:
 * Citus plans it apart and the events go to each space's worker.
 */
@Component
public class JobStatements {

  /** Events per INSERT: 7 parameters each, well under PostgreSQL's 65,535. */
  private static final int EVENTS_PER_INSERT = 2_000;

  private final JdbcClient jdbc;
  private final SpaceRouting routing;
  private final TransactionTemplate tx;
  private final JsonMapper json = JsonMapper.builder().build();

  JobStatements(JdbcClient jdbc, SpaceRouting routing, DataSource dataSource) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
  }

  /**
   * Runs {@code sql} (a statement built with {@link JobSql#appendEvents}) with the parameters
   * {@code bind} sets and returns its rows. On Citus it joins the caller's transaction or opens its
   * own.
   */
  public <T> List<T> list(
      String sql, UnaryOperator<JdbcClient.StatementSpec> bind, RowMapper<T> mapper) {
    return list(sql, bind, mapper, false);
  }

  /**
   * {@link #list(String, UnaryOperator, RowMapper)} for a statement that appends at most one event
   * and answers with its id ({@code ev.id}): on Citus the id is taken from the events' sequence on
   * the coordinator first, since the event is inserted only after the statement.
   */
  public <T> List<T> listAnsweringEventId(
      String sql, UnaryOperator<JdbcClient.StatementSpec> bind, RowMapper<T> mapper) {
    return list(sql, bind, mapper, true);
  }

  private <T> List<T> list(
      String sql,
      UnaryOperator<JdbcClient.StatementSpec> bind,
      RowMapper<T> mapper,
      boolean eventId) {
    if (!routing.distributed()) {
      return bind.apply(jdbc.sql(JobSql.routed(sql, routing))).query(mapper).list();
    }
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      return tx.execute(status -> list(sql, bind, mapper, eventId));
    }
    Long id =
        eventId ? jdbc.sql(NEXT_EVENT_ID).query(Long.class).single() : null; // on the coordinator
    String[] events = new String[1];
    RowMapper<T> capturing =
        (rs, n) -> {
          String e = rs.getString(JobSql.EVENTS_COLUMN);
          if (e != null) {
            events[0] = e;
          }
          return mapper.mapRow(rs, n);
        };
    List<T> rows =
        bind.apply(jdbc.sql(JobSql.eventsReturned(sql, routing)))
            .param("spoolEventId", id, Types.BIGINT)
            .query(capturing)
            .list();
    if (events[0] != null) {
      insertEvents(events[0], id);
    }
    return rows;
  }

  /** The next id of {@code job_events.id}'s sequence. */
  private static final String NEXT_EVENT_ID =
      "SELECT nextval(pg_get_serial_sequence('job_events', 'id'))";

  /**
   * Inserts the events of {@link JobSql#EVENTS_COLUMN} in their order and notifies; with {@code
   * id}, the one event it was taken for gets it.
   */
  private void insertEvents(String eventsJson, Long id) {
    JsonNode events = json.readTree(eventsJson);
    if (id != null && events.size() > 1) {
      throw new IllegalStateException("one event id taken for " + events.size() + " events");
    }
    for (int from = 0; from < events.size(); from += EVENTS_PER_INSERT) {
      int to = Math.min(events.size(), from + EVENTS_PER_INSERT);
      StringBuilder sql =
          new StringBuilder(
              "WITH ev AS (INSERT INTO job_events ("
                  + (id == null ? "" : "id, ")
                  + "job_id, space_id, type, data, attempt_number, from_status, to_status)"
                  + " VALUES ");
      List<Object> params = new ArrayList<>((to - from) * 7);
      for (int i = from; i < to; i++) {
        JsonNode e = events.get(i);
        sql.append(i == from ? "" : ", ")
            .append(id == null ? "(" : "(?, ")
            .append("?, ?, ?, CAST(? AS json), ?, ?, ?)");
        if (id != null) {
          params.add(id);
        }
        params.add(text(e.get("job_id")));
        params.add(text(e.get("space_id")));
        params.add(text(e.get("type")));
        params.add(text(e.get("data")));
        params.add(e.get("attempt_number").asInt());
        params.add(text(e.get("from_status")));
        params.add(text(e.get("to_status")));
      }
      sql.append(
          """
           RETURNING id, space_id, type, to_status)
          SELECT spool_notify_events(array_agg(space_id), array_agg(type), min(id))
                 + spool_notify_pending(array_agg(space_id) FILTER (WHERE to_status = 'pending'))
            FROM ev""");
      jdbc.sql(sql.toString()).params(params).query().singleValue();
    }
  }

  /** A text parameter, typed so that a null needs no look-up of the statement's parameter types. */
  private static SqlParameterValue text(JsonNode value) {
    return new SqlParameterValue(
        Types.VARCHAR, value == null || value.isNull() ? null : value.asString());
  }
}
