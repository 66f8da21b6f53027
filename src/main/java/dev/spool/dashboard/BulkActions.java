package dev.spool.dashboard;

import dev.spool.job.JobRetries;
import dev.spool.worker.Kills;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Kill or retry every job of a filter (status and exact name), in bounded batches, each job through
 * the same code as its single-job action. The confirmation counts the jobs the action applies to
 * and remembers the newest id then ({@code upTo}); the action touches only jobs up to it, so a job
 * created after the user confirmed is never swept along.
 */
@Component
class BulkActions {

  enum Action {
    KILL("status IN ('scheduled', 'pending', 'delivered', 'running')"),
    RETRY(
        "status IN ('dead', 'killed')"
            + " AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.retried_from = j.id)");

    final String applies;

    Action(String applies) {
      this.applies = applies;
    }
  }

  /** Most jobs one request changes; the page asks again until {@code done}. */
  static final int PER_REQUEST = 1000;

  static final int BATCH = 200;

  /** Counting stops here: the confirmation then says "at least". */
  static final int COUNT_CAP = 100_000;

  record Preview(long count, boolean capped, String upTo) {}

  record Outcome(int changed, boolean done) {}

  private final JdbcClient jdbc;
  private final Kills kills;
  private final JobRetries retries;

  BulkActions(JdbcClient jdbc, Kills kills, JobRetries retries) {
    this.jdbc = jdbc;
    this.kills = kills;
    this.retries = retries;
  }

  private static String where(Action action, List<String> statuses, String name) {
    return " WHERE j.space_id = :space AND "
        + action.applies
        + (statuses.isEmpty() ? "" : " AND j.status IN (:statuses)")
        + (name == null ? "" : " AND j.name = :name");
  }

  private JdbcClient.StatementSpec bind(
      String sql, String space, List<String> statuses, String name) {
    JdbcClient.StatementSpec spec = jdbc.sql(sql).param("space", space);
    if (!statuses.isEmpty()) {
      spec = spec.param("statuses", statuses);
    }
    return name == null ? spec : spec.param("name", name);
  }

  Preview preview(Action action, String space, List<String> statuses, String name) {
    String upTo =
        jdbc.sql("SELECT max(id) FROM jobs WHERE space_id = :space")
            .param("space", space)
            .query(String.class)
            .optional()
            .orElse(null);
    long count =
        bind(
                "SELECT count(*) FROM (SELECT 1 FROM jobs j"
                    + where(action, statuses, name)
                    + " LIMIT "
                    + COUNT_CAP
                    + ") m",
                space,
                statuses,
                name)
            .query(Long.class)
            .single();
    return new Preview(count, count >= COUNT_CAP, upTo);
  }

  Outcome apply(Action action, String space, List<String> statuses, String name, String upTo) {
    String select =
        "SELECT j.id FROM jobs j"
            + where(action, statuses, name)
            + " AND j.id <= :upTo AND j.id > :after ORDER BY j.id LIMIT "
            + BATCH;
    int changed = 0;
    String after = "";
    while (changed < PER_REQUEST) {
      List<String> ids =
          bind(select, space, statuses, name)
              .param("upTo", upTo)
              .param("after", after)
              .query(String.class)
              .list();
      if (ids.isEmpty()) {
        return new Outcome(changed, true);
      }
      for (String id : ids) {
        if (applyOne(action, id, space)) {
          changed++;
        }
      }
      after = ids.get(ids.size() - 1);
    }
    return new Outcome(changed, false);
  }

  private boolean applyOne(Action action, String id, String space) {
    if (action == Action.KILL) {
      return kills.kill(id, space, "killed from the dashboard");
    }
    try {
      retries.retry(id, space);
      return true;
    } catch (dev.spool.web.ApiException e) {
      return false; // changed meanwhile (retried by someone else, deleted): skip it
    }
  }
}
