package dev.spool.realtime;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * TEST SUPPORT ONLY: job transitions performed with the same SQL shape a real transition uses — one
 * statement, one transaction: a guarded UPDATE of the job and the INSERT of its event (the triggers
 * then record count deltas and notify after commit). The worker endpoints are built elsewhere; once
 * merged, tests can drive them over HTTP instead.
 */
final class TestTransitions {

  private static final String MOVE =
      """
      WITH t AS MATERIALIZED (
          SELECT now() AS at
      ), u AS (
          UPDATE jobs SET status = :to,
                 delivery_id = CASE WHEN :to = 'delivered' THEN 'd-' || id ELSE delivery_id END,
                 delivered_at = CASE WHEN :to = 'delivered' THEN t.at ELSE delivered_at END,
                 started_at = CASE WHEN :to = 'running' THEN t.at ELSE started_at END,
                 deadline_at = CASE WHEN :to IN ('delivered', 'running')
                                    THEN spool_after(t.at, timeout_seconds) END,
                 completed_at = CASE WHEN :to IN ('completed', 'dead', 'killed') THEN t.at END,
                 result = CASE WHEN :to = 'completed' THEN CAST(:result AS json)
                               WHEN :to = 'killed' THEN CAST('{"reason":"killed"}' AS json)
                               ELSE result END,
                 updated_at = now()
            FROM t
           WHERE id = :id AND status = :from
          RETURNING id, space_id, attempt_number, result
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                  to_status)
          SELECT id, space_id, :type,
                 CASE WHEN :to = 'completed'
                      THEN CAST('{"result":' || coalesce(result::text, 'null') || '}' AS json) END,
                 attempt_number, :from, :to
            FROM u
          RETURNING space_id
      )
      SELECT count(*) FROM ev, (SELECT spool_notify_events(array_agg(space_id)) FROM ev) n
      """;

  private static final String PROGRESS =
      """
      WITH u AS (
          UPDATE jobs SET progress = CAST(:progress AS jsonb),
                 deadline_at = spool_after(now(), timeout_seconds), updated_at = now()
           WHERE id = :id AND status = 'running'
          RETURNING id, space_id, attempt_number, progress
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, 'progress', progress::json, attempt_number FROM u
          RETURNING space_id
      )
      SELECT count(*) FROM ev, (SELECT spool_notify_events(array_agg(space_id)) FROM ev) n
      """;

  private static final String CUSTOM_EVENT =
      """
      WITH j AS MATERIALIZED (
          SELECT id, space_id, attempt_number FROM jobs WHERE id = :id AND status = 'running'
      ), ev AS (
          INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
          SELECT id, space_id, :type, CAST(:data AS json), attempt_number FROM j
          RETURNING space_id
      )
      SELECT count(*) FROM ev, (SELECT spool_notify_events(array_agg(space_id)) FROM ev) n
      """;

  private final JdbcClient jdbc;

  TestTransitions(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void deliver(String jobId) {
    move(jobId, "pending", "delivered", "delivered", null);
  }

  void ack(String jobId) {
    move(jobId, "delivered", "running", "acked", null);
  }

  /** pending → delivered → running. */
  void start(String jobId) {
    deliver(jobId);
    ack(jobId);
  }

  void progress(String jobId, int percent, String message) {
    String progress =
        "{\"percent\":%d,\"message\":\"%s\",\"subProgress\":null,\"updatedAt\":\"2026-01-01T00:00:00.000Z\"}"
            .formatted(percent, message);
    one(
        jdbc.sql(PROGRESS)
            .param("id", jobId)
            .param("progress", progress)
            .query(Integer.class)
            .single(),
        jobId);
  }

  void complete(String jobId, String resultJson) {
    move(jobId, "running", "completed", "completed", resultJson);
  }

  void kill(String jobId, String from) {
    move(jobId, from, "killed", "killed", null);
  }

  void customEvent(String jobId, String type, String dataJson) {
    one(
        jdbc.sql(CUSTOM_EVENT)
            .param("id", jobId)
            .param("type", type)
            .param("data", dataJson)
            .query(Integer.class)
            .single(),
        jobId);
  }

  private void move(String jobId, String from, String to, String type, String result) {
    int n =
        jdbc.sql(MOVE)
            .param("id", jobId)
            .param("from", from)
            .param("to", to)
            .param("type", type)
            .param("result", result)
            .query(Integer.class)
            .single();
    one(n, jobId);
  }

  private static void one(int rows, String jobId) {
    if (rows != 1) {
      throw new IllegalStateException("transition of " + jobId + " matched " + rows + " rows");
    }
  }
}
