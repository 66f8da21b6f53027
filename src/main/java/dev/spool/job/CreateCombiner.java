package dev.spool.job;

import dev.spool.database.DurableCommits;
import dev.spool.database.GroupCommit;
import dev.spool.web.SpoolLimits;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/**
 * Group commit for create requests: requests that arrive while an insert is running are written
 * together by the next one, in one statement, one commit and one WAL flush.
 *
 * <p>Why: every create is a transaction that notifies listeners, and PostgreSQL serializes
 * notifying commits on one cluster-wide lock (see {@link DurableCommits}); per-transaction costs
 * (statement, triggers, commit, flush) dominate a one-job request. With many concurrent clients,
 * writing their jobs together turns N small transactions into one, the way bulk requests do.
 *
 * <p>How: {@link GroupCommit} gathers the requests that queue while earlier inserts run (up to
 * {@code spool.limits.jobs-per-request} jobs a batch); an idle server inserts a lone request at
 * once. Each request stays all-or-nothing (it is inside one statement); if a joint insert fails,
 * each of its requests is retried alone so that one request's failure (its space deleted meanwhile)
 * never fails another. A joint insert that committed but whose connection died before the answer
 * arrived is found out by the retry hitting its own primary key: those requests succeeded.
 */
@Component
class CreateCombiner {

  /**
   * Joint inserts running at once: two, so that a bulk request's insert (up to 1000 jobs, CPU-bound
   * in PostgreSQL) runs beside another on a second core; the batch's WAL flush runs outside its
   * slot (see {@link GroupCommit}).
   */
  static final int IN_FLIGHT = 2;

  private final JobInserts inserts;
  private final DurableCommits durable;
  private final GroupCommit<Request, Void> group;

  CreateCombiner(JobInserts inserts, DurableCommits durable, SpoolLimits limits) {
    this.inserts = inserts;
    this.durable = durable;
    this.group =
        new GroupCommit<>(
            IN_FLIGHT, limits.jobsPerRequest(), Request::jobs, r -> null, this::write);
  }

  /** One request's rows (from {@link JobInserts#rows}), their space and how many jobs they hold. */
  private record Request(String rows, String spaceId, int jobs) {}

  /**
   * Inserts the rows (from {@link JobInserts#rows}) of a space and returns once they are committed
   * and on disk; throws what their insert threw.
   */
  void insert(String rows, String spaceId, int jobs) {
    group.submit(new Request(rows, spaceId, jobs));
  }

  /**
   * Writes a batch and sets every request's outcome. Only a failed insert is retried request by
   * request; a failed flush is every request's failure (their jobs are committed, but not known to
   * be on disk).
   */
  private Runnable write(List<GroupCommit.Entry<Request, Void>> batch) {
    boolean joint = batch.size() > 1;
    if (joint) {
      StringBuilder rows = new StringBuilder();
      Set<String> spaces = new LinkedHashSet<>();
      for (GroupCommit.Entry<Request, Void> e : batch) {
        rows.append(rows.isEmpty() ? "" : ",").append(e.input().rows());
        spaces.add(e.input().spaceId());
      }
      try {
        inserts.insert(rows.toString(), String.join(",", spaces));
      } catch (RuntimeException jointFailure) {
        joint = false; // one request may be the cause: give each its own outcome below
      }
    }
    if (!joint) {
      for (GroupCommit.Entry<Request, Void> e : batch) {
        try {
          inserts.insert(e.input().rows(), e.input().spaceId());
        } catch (RuntimeException failure) {
          if (!alreadyCommitted(failure)) {
            e.fail(failure);
          }
        }
      }
    }
    return () -> {
      durable.flush(); // a failure fails every request not failed already
      batch.forEach(e -> e.succeed(null));
    };
  }

  /**
   * Whether a retried insert failed because its own jobs are already there: ids are fresh ULIDs
   * made for this request, so a duplicate primary key means the joint insert did commit (and its
   * connection died before the answer arrived). The joint insert is one statement, so all of the
   * request's jobs exist: the request succeeded.
   */
  static boolean alreadyCommitted(RuntimeException failure) {
    return failure instanceof DuplicateKeyException
        && String.valueOf(failure.getMessage()).contains("jobs_pkey");
  }
}
