package dev.spool.job;

import dev.spool.common.DbNow;
import dev.spool.common.Ids;
import dev.spool.database.SpaceRouting;
import dev.spool.web.ApiException;
import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Re-runs a dead or killed job as a new job ({@code POST /jobs/:id/retry}): same name, payload and
 * options, available now, {@code retried_from} pointing at the old job, which gets a {@code
 * retried_as} event. A job is retried at most once (a unique index on {@code retried_from}), so a
 * double click or a repeated bulk retry never runs it twice.
 */
@Component
public class JobRetries {

  /**
   * One statement: the new job, its {@code created} event and the old job's {@code retried_as}
   * event, and their notifications (the statement issues them, as every write does: the pending job
   * wakes long polls). The original {@code scheduledFor} is not copied: a retry runs now. On one
   * PostgreSQL it locks the space first ({@link JobSql#spacesLocked}, V77); on Citus the foreign
   * key to {@code spaces} does ({@link #RETRY_CITUS}, db/citus/distribute.sql).
   */
  static final String RETRY =
      retryStatement(JobSql.spacesLocked("ARRAY[CAST(:space AS text)]") + ", ", "spaces_locked, ");

  /** On Citus: {@link #RETRY} without the space lock. */
  static final String RETRY_CITUS = retryStatement("", "");

  private static String retryStatement(String lockCte, String lockFrom) {
    return """
        WITH %3$sold AS (
            SELECT j.* FROM %4$sjobs j
             WHERE j.space_id = :space AND j.id = :id AND j.status IN ('dead', 'killed')
        ), inserted AS (
            INSERT INTO jobs (id, space_id, name, payload, status, max_retries, timeout_seconds,
                              backoff_seconds, available_at, callback_url, callback_headers,
                              retried_from)
            SELECT :newId, space_id, name, payload, 'pending', max_retries, timeout_seconds,
                   backoff_seconds, %1$s, callback_url, callback_headers, id
              FROM old
            RETURNING id, space_id, retried_from
        ), %2$s
        SELECT id, space_id FROM inserted, note
        """
        .formatted(
            JobSql.NOW,
            JobSql.appendEvents(
                """
                    SELECT id, space_id, 'created', json_build_object('retriedFrom', retried_from),
                           0, NULL, 'pending'
                      FROM inserted
                    UNION ALL
                    SELECT o.id, o.space_id, 'retried_as', json_build_object('jobId', i.id),
                           o.attempt_number, NULL, NULL
                      FROM old o JOIN inserted i ON i.retried_from = o.id
                """),
            lockCte,
            lockFrom);
  }

  static final String STATE = "SELECT space_id, status FROM jobs WHERE id = :id";

  static final String RETRIED_AS =
      "SELECT id FROM jobs WHERE space_id = :space AND retried_from = :id";

  /** The new job's reference. */
  public record Retried(String id, String spaceId) {}

  private final JdbcClient jdbc;
  private final DbNow now;
  private final JobRepository jobs;
  private final SpaceRouting routing;

  JobRetries(JdbcClient jdbc, DbNow now, JobRepository jobs, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.now = now;
    this.jobs = jobs;
    this.routing = routing;
  }

  /**
   * Retries {@code jobId}; {@code space} limits it to that space (null for an admin). Throws 404
   * for an unknown job, 403 for another space's, 409 for one that is not dead or killed or was
   * already retried.
   */
  public Retried retry(String jobId, String space) {
    if (!Ids.isValid(jobId)) {
      throw ApiException.notFound("Job");
    }
    // The statement names its space, like every write of jobs (on Citus it then runs on the one
    // worker that holds the space): the caller's, or for the admin key the job's, read first.
    String routed =
        space != null ? space : jobs.spaceOf(jobId).orElseThrow(() -> ApiException.notFound("Job"));
    Optional<Retried> created;
    try {
      created =
          now.bind(jdbc.sql(routing.distributed() ? RETRY_CITUS : RETRY))
              .param("id", jobId)
              .param("space", routed)
              .param("newId", Ids.next())
              .query((rs, n) -> new Retried(rs.getString("id"), rs.getString("space_id")))
              .optional();
    } catch (DuplicateKeyException e) {
      throw alreadyRetried(jobId, routed);
    } catch (DataIntegrityViolationException e) {
      if (String.valueOf(e.getMessage()).contains("space_id_fkey")) {
        throw ApiException.notFound("Job"); // its space was deleted meanwhile, and the job with it
      }
      throw e;
    }
    return created.orElseThrow(() -> explain(jobId, space));
  }

  private ApiException explain(String jobId, String space) {
    record State(String spaceId, String status) {}
    Optional<State> state =
        jdbc.sql(STATE)
            .param("id", jobId)
            .query((rs, n) -> new State(rs.getString("space_id"), rs.getString("status")))
            .optional();
    if (state.isEmpty()) {
      return ApiException.notFound("Job");
    }
    if (space != null && !space.equals(state.get().spaceId())) {
      return ApiException.wrongSpace();
    }
    String status = state.get().status();
    if (status.equals("dead") || status.equals("killed")) {
      return alreadyRetried(jobId, state.get().spaceId()); // only the unique index stops it
    }
    return ApiException.conflict(
        "invalid_state", "Job is not dead or killed (status: " + status + ")");
  }

  private ApiException alreadyRetried(String jobId, String space) {
    String newId =
        jdbc.sql(RETRIED_AS)
            .param("space", space)
            .param("id", jobId)
            .query(String.class)
            .optional()
            .orElse("?");
    return ApiException.conflict("already_retried", "Job was already retried as " + newId);
  }
}
