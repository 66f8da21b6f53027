package dev.spool.support;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * TEST ONLY: moves a job created through the API into a state by a guarded SQL UPDATE, standing in
 * for the queue engine (poll / ack / complete / fail) while it is built in parallel. Each method
 * checks its precondition and its row count like the real transitions do. Replace calls with the
 * real endpoints once the engine is merged.
 */
public final class JobStateShortcuts {

  private final JdbcClient jdbc;

  public JobStateShortcuts(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** pending → delivered with a fresh delivery; returns the delivery id. */
  public String deliver(String jobId) {
    String delivery = UUID.randomUUID().toString();
    int n =
        jdbc.sql(
                """
                UPDATE jobs SET status = 'delivered', delivery_id = :delivery, delivered_at = now(),
                       deadline_at = spool_after(now(), timeout_seconds), updated_at = now()
                 WHERE id = :id AND status = 'pending'
                """)
            .param("id", jobId)
            .param("delivery", delivery)
            .update();
    requireOne(n, jobId, "pending");
    return delivery;
  }

  /** pending → running (delivered and acked) with a fresh delivery; returns the delivery id. */
  public String start(String jobId) {
    String delivery = deliver(jobId);
    int n =
        jdbc.sql(
                """
                UPDATE jobs SET status = 'running', started_at = now(),
                       deadline_at = spool_after(now(), timeout_seconds), updated_at = now()
                 WHERE id = :id AND status = 'delivered'
                """)
            .param("id", jobId)
            .update();
    requireOne(n, jobId, "delivered");
    return delivery;
  }

  /** running → pending with attemptNumber + 1, as a fail with attempts left does. */
  public void retry(String jobId) {
    int n =
        jdbc.sql(
                """
                UPDATE jobs SET status = 'pending', attempt_number = attempt_number + 1,
                       deadline_at = NULL, delivery_id = NULL, available_at = now(), updated_at = now()
                 WHERE id = :id AND status = 'running' AND attempt_number < max_retries
                """)
            .param("id", jobId)
            .update();
    requireOne(n, jobId, "running with attempts left");
  }

  /** running → completed. */
  public void complete(String jobId) {
    int n =
        jdbc.sql(
                """
                UPDATE jobs SET status = 'completed', completed_at = now(), deadline_at = NULL,
                       updated_at = now()
                 WHERE id = :id AND status = 'running'
                """)
            .param("id", jobId)
            .update();
    requireOne(n, jobId, "running");
  }

  /** Moves the execution deadline into the past-relative position {@code seconds} from now. */
  public void setDeadlineIn(String jobId, int seconds) {
    jdbc.sql("UPDATE jobs SET deadline_at = now() + make_interval(secs => :s) WHERE id = :id")
        .param("id", jobId)
        .param("s", seconds)
        .update();
  }

  private static void requireOne(int n, String jobId, String expected) {
    if (n != 1) {
      throw new IllegalStateException("job " + jobId + " was not " + expected);
    }
  }
}
