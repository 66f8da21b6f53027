package dev.spool.support;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * TEST SUPPORT ONLY: makes jobs terminal with a guarded SQL update shaped like the real transitions
 * (status, completed_at, deadline cleared, result, and the event in the same statement), for tests
 * of features that react to terminal jobs written before the worker endpoints existed. Switch
 * callers to {@code POST /jobs/:id/complete} / {@code kill} once those are on main.
 */
public final class TerminalTransitions {

  private static final String FINISH =
      """
      WITH u AS (
          UPDATE jobs SET status = :status, previous_status = status,
                          completed_at = now(), deadline_at = NULL,
                          result = CAST(:result AS json), updated_at = now()
           WHERE id = ANY (CAST(:ids AS text[]))
             AND status IN ('scheduled', 'pending', 'delivered', 'running')
          RETURNING id, space_id, attempt_number, previous_status, status
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, :status, NULL, attempt_number, previous_status, status FROM u
          RETURNING space_id
      )
      SELECT count(*) FROM ev, (SELECT spool_notify_events(array_agg(space_id)) FROM ev) n
      """;

  private TerminalTransitions() {}

  /** Completes the jobs with {@code resultJson}; returns how many changed. */
  public static int complete(JdbcClient jdbc, String resultJson, String... jobIds) {
    return finish(jdbc, "completed", resultJson, jobIds);
  }

  public static int kill(JdbcClient jdbc, String reason, String... jobIds) {
    return finish(jdbc, "killed", "{\"reason\":\"" + reason + "\"}", jobIds);
  }

  public static int dead(JdbcClient jdbc, String error, String... jobIds) {
    return finish(jdbc, "dead", "{\"error\":\"" + error + "\"}", jobIds);
  }

  private static int finish(JdbcClient jdbc, String status, String resultJson, String... jobIds) {
    return jdbc.sql(FINISH)
        .param("status", status)
        .param("result", resultJson)
        .param("ids", jobIds)
        .query(Integer.class)
        .single();
  }
}
