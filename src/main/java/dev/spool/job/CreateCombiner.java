package dev.spool.job;

import dev.spool.system.DurableCommits;
import dev.spool.system.SpoolLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>How: a request that finds fewer than {@link #IN_FLIGHT} inserts running becomes a leader: it
 * takes the queued requests (up to {@code spool.limits.jobs-per-request} jobs, its own among them
 * unless older ones fill the batch), inserts them and flushes, then wakes the others; those whose
 * jobs were written return, and one of the rest leads the next insert. An idle server inserts a
 * lone request at once, without waiting. Each request stays all-or-nothing (it is inside one
 * statement); if a joint insert fails, each of its requests is retried alone so that one request's
 * failure (its space deleted meanwhile) never fails another.
 */
@Component
class CreateCombiner {

  /**
   * Joint inserts running at once: two, so that one batch's insert overlaps the other's commit and
   * disk flush (which wait on I/O, not on a CPU).
   */
  static final int IN_FLIGHT = 2;

  private final JobInserts inserts;
  private final DurableCommits durable;
  private final SpoolLimits limits;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition written = lock.newCondition();
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private int inserting;

  CreateCombiner(JobInserts inserts, DurableCommits durable, SpoolLimits limits) {
    this.inserts = inserts;
    this.durable = durable;
    this.limits = limits;
  }

  /** One request's rows; its outcome is set by the leader that writes them, under the lock. */
  private static final class Request {
    final String rows;
    final int jobs;
    boolean done;
    RuntimeException failure;

    Request(String rows, int jobs) {
      this.rows = rows;
      this.jobs = jobs;
    }
  }

  /**
   * Inserts the rows (from {@link JobInserts#rows}) and returns once they are committed and on
   * disk; throws what their insert threw.
   */
  void insert(String rows, int jobs) {
    Request mine = new Request(rows, jobs);
    lock.lock();
    try {
      queue.add(mine);
      while (!mine.done) {
        if (inserting >= IN_FLIGHT || queue.isEmpty()) {
          written.awaitUninterruptibly();
          continue;
        }
        inserting++;
        List<Request> batch = take();
        lock.unlock();
        try {
          write(batch);
        } finally {
          lock.lock();
          for (Request r : batch) {
            if (!r.done) {
              r.done = true;
              r.failure = new IllegalStateException("insert ended without an outcome");
            }
          }
          inserting--;
          written.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
  }

  /** Queued requests, oldest first, up to one request's worth of jobs (at least one request). */
  private List<Request> take() {
    List<Request> batch = new ArrayList<>();
    int jobs = 0;
    while (!queue.isEmpty()
        && (batch.isEmpty() || jobs + queue.peek().jobs <= limits.jobsPerRequest())) {
      Request r = queue.poll();
      batch.add(r);
      jobs += r.jobs;
    }
    return batch;
  }

  /**
   * Writes a batch and sets every request's outcome (read by its thread after the lock). Only a
   * failed insert is retried request by request; a failed flush is every request's failure (their
   * jobs are committed, but not known to be on disk).
   */
  private void write(List<Request> batch) {
    boolean joint = batch.size() > 1;
    if (joint) {
      StringBuilder rows = new StringBuilder();
      for (Request r : batch) {
        rows.append(rows.isEmpty() ? "" : ",").append(r.rows);
      }
      try {
        inserts.insert(rows.toString());
      } catch (RuntimeException jointFailure) {
        joint = false; // one request may be the cause: give each its own outcome below
      }
    }
    for (Request r : batch) {
      if (!joint) {
        try {
          inserts.insert(r.rows);
        } catch (RuntimeException e) {
          r.failure = e;
        }
      }
    }
    RuntimeException flushFailure = null;
    try {
      durable.flush();
    } catch (RuntimeException e) {
      flushFailure = e;
    }
    for (Request r : batch) {
      if (r.failure == null) {
        r.failure = flushFailure;
      }
      r.done = true;
    }
  }
}
