package dev.spool.worker;

/**
 * The one rule for a failed attempt (docs/api.md §3, §5), shared by a worker's {@code fail} and the
 * execution-timeout rescuer: while attempts are left (and the caller did not say {@code retry:
 * false}) the job is retried — {@code attemptNumber + 1}, {@code pending} at once or {@code
 * scheduled} until its backoff ends, event {@code retried} — otherwise it is {@code dead} with
 * result {@code {"error": ...}} and event {@code dead}. {@code lastError} is kept either way.
 *
 * <p>Each caller supplies a {@code target} CTE that selects and locks ({@code FOR UPDATE}) the rows
 * it may fail, stating its precondition, with the columns {@code id, space_id, status,
 * attempt_number, max_retries, backoff_seconds, retry, error, last_error, timed_out}. Everything is
 * computed from that locked row version — never from a second read of {@code jobs} in the
 * statement's snapshot, which could be older than the row the lock waited for.
 */
public final class FailedAttempts {

  private FailedAttempts() {}

  /**
   * The whole statement: {@code target} (a CTE body), the update, the events and their
   * notifications ({@code note}, one row), then {@code finalSelect} reading the updated rows from
   * {@code u} joined with {@code note} (so that the notifications are issued).
   */
  public static String statement(String target, String finalSelect) {
    return """
        WITH target AS (
        %s
        ), judged AS (
            SELECT t.*, (t.retry AND t.attempt_number < t.max_retries) AS retrying,
                   now() + spool_retry_delay(t.backoff_seconds, t.attempt_number,
                                             0.9 + 0.2 * random()) AS retry_at,
                   now() AS at
              FROM target t
        ), plan AS (
            -- the event data built here, not in the CASEs below: Citus (SPOOL_DISTRIBUTED=citus)
            -- refuses non-immutable functions such as json_build_object inside CASE in a write
            SELECT j.*, json_build_object('error', j.error) AS error_data,
                   json_build_object('error', j.error,
                                     'retryAt', spool_ts(greatest(j.retry_at, j.at)),
                                     'nextAttemptNumber', j.attempt_number + 1) AS retried_data
              FROM judged j
        ), u AS (
            UPDATE jobs j SET
                status = CASE WHEN NOT p.retrying THEN 'dead'
                              WHEN p.retry_at > p.at THEN 'scheduled' ELSE 'pending' END,
                attempt_number = j.attempt_number + CASE WHEN p.retrying THEN 1 ELSE 0 END,
                available_at = CASE WHEN p.retrying AND p.retry_at > p.at THEN p.retry_at
                                    ELSE j.available_at END,
                last_error = p.last_error,
                result = CASE WHEN p.retrying THEN NULL ELSE p.error_data END,
                completed_at = CASE WHEN p.retrying THEN NULL ELSE p.at END,
                delivery_id = CASE WHEN p.retrying THEN NULL ELSE j.delivery_id END,
                deadline_at = NULL,
                updated_at = now()
              FROM plan p
             WHERE j.space_id = p.space_id AND j.id = p.id AND j.status IN ('delivered', 'running')
            RETURNING j.*
        ), ev AS (
            INSERT INTO job_events (job_id, space_id, type, data, attempt_number, from_status,
                                    to_status)
            SELECT p.id, p.space_id, e.type, e.data, p.attempt_number,
                   CASE WHEN e.ord = 2 THEN p.status END, CASE WHEN e.ord = 2 THEN u.status END
              FROM plan p JOIN u ON u.id = p.id
             CROSS JOIN LATERAL (VALUES
                 (1, CASE WHEN p.timed_out THEN 'timed_out' END, p.error_data),
                 (2, CASE WHEN p.retrying THEN 'retried' ELSE 'dead' END,
                  CASE WHEN p.retrying THEN p.retried_data ELSE p.error_data END)
             ) AS e(ord, type, data)
             WHERE e.type IS NOT NULL
             ORDER BY p.id, e.ord
            RETURNING space_id, to_status
        ), note AS (
            SELECT spool_notify_events(array_agg(space_id))
                   + spool_notify_pending(array_agg(space_id) FILTER (WHERE to_status = 'pending'))
                   AS sent
              FROM ev
        )
        %s
        """
        .formatted(target, finalSelect);
  }
}
