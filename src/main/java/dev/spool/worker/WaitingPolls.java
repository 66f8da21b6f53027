package dev.spool.worker;

import dev.spool.worker.WaitingPoll.Stage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long polls waiting on this instance, by space, then by {@link ClaimFilter}, oldest first,
 * under one lock per space. Nothing here runs SQL, and no request is answered while a lock is held
 * (an answer may run container callbacks that come back here): the locked methods return what to
 * send, and {@link #settle} and {@link #send} send it after the lock is released.
 */
final class WaitingPolls {

  private static final Logger log = LoggerFactory.getLogger(WaitingPolls.class);

  /** What to send one waiter once the lock is released: jobs (maybe none), or an error. */
  record Answer(WaitingPoll waiter, List<Delivery> jobs, RuntimeException error) {}

  /** Answers to send, and whether the group's claim must run once more. */
  record Handout(List<Answer> answers, boolean claimAgain) {}

  private static final class Group {
    final ArrayDeque<WaitingPoll> waiters = new ArrayDeque<>();
    boolean claiming;
    boolean again; // woken while its claim ran: that claim may have missed the new job
  }

  private static final class Space {
    final Map<ClaimFilter, Group> groups = new LinkedHashMap<>();
    int ownClaims;
    long wakes;
    boolean dead; // removed from the map: retry with a fresh one
  }

  private final ConcurrentHashMap<String, Space> spaces = new ConcurrentHashMap<>();
  private final AtomicInteger registered = new AtomicInteger();
  private final Consumer<WaitingPoll> onDone;

  /**
   * @param onDone runs (under the lock: keep it short) when a waiter leaves, answered or not
   */
  WaitingPolls(Consumer<WaitingPoll> onDone) {
    this.onDone = onDone;
  }

  /** Polls registered now (first claim running, or waiting). */
  int size() {
    return registered.get();
  }

  /** {@link #size()} in one space. */
  int sizeIn(String spaceId) {
    return withSpace(
        spaceId,
        false,
        s -> s.ownClaims + s.groups.values().stream().mapToInt(g -> g.waiters.size()).sum());
  }

  /**
   * Registers a poll before its first claim, so a wake during that claim is not missed.
   *
   * @return whether polls of its group already wait with no claim running: then nothing is
   *     available for it (the last claim for them was not full, and anything that became available
   *     since wakes the group, which now counts this poll too), so its own claim may be skipped
   */
  boolean register(WaitingPoll w) {
    registered.incrementAndGet();
    return withSpace(
        w.filter.spaceId(),
        true,
        s -> {
          s.ownClaims++;
          w.wakesSeen = s.wakes;
          Group g = s.groups.get(w.filter);
          return g != null
              && !g.claiming
              && g.waiters.stream().anyMatch(x -> x.stage == Stage.WAITING);
        });
  }

  /** The first claim found jobs or failed: the poll is answered by its caller. */
  void ownClaimAnswered(WaitingPoll w) {
    withSpace(
        w.filter.spaceId(),
        false,
        s -> {
          s.ownClaims--;
          done(w);
          return null;
        });
  }

  /**
   * The first claim found nothing: queue the poll. Answers empty when its wait is already over or
   * the instance stops; asks for a group claim when the space was woken during that first claim.
   *
   * @return the answer to send now (null: none), and whether to start the group's claim
   */
  Handout ownClaimEmpty(WaitingPoll w, boolean accepting) {
    return withSpace(
        w.filter.spaceId(),
        false,
        s -> {
          s.ownClaims--;
          if (w.gone || w.expired || !accepting) {
            done(w);
            return new Handout(w.gone ? List.of() : List.of(empty(w)), false);
          }
          w.stage = Stage.WAITING;
          Group g = s.groups.computeIfAbsent(w.filter, f -> new Group());
          g.waiters.add(w);
          return new Handout(List.of(), s.wakes != w.wakesSeen && start(g));
        });
  }

  /** Its wait is over: answer empty now if it waits, else when the claim counting it ends. */
  boolean expire(WaitingPoll w) {
    return withSpace(w.filter.spaceId(), false, s -> leave(s, w, true));
  }

  /** Its request ended (timeout, error, client gone) without our answer. */
  void gone(WaitingPoll w) {
    withSpace(w.filter.spaceId(), false, s -> leave(s, w, false));
  }

  private boolean leave(Space s, WaitingPoll w, boolean expired) {
    if (w.stage == Stage.WAITING) {
      s.groups.get(w.filter).waiters.remove(w);
      done(w);
      return true;
    }
    if (w.stage != Stage.DONE) {
      if (expired) {
        w.expired = true;
      } else {
        w.gone = true;
      }
    }
    return false;
  }

  /** A notification for the space: the groups whose claim must start now. */
  List<ClaimFilter> wake(String spaceId) {
    return withSpace(
        spaceId,
        false,
        s -> {
          s.wakes++;
          List<ClaimFilter> out = new ArrayList<>(1);
          s.groups.forEach(
              (f, g) -> {
                if (start(g)) {
                  out.add(f);
                }
              });
          return out;
        });
  }

  /** A wake for one group (the re-check found it a job): whether its claim must start now. */
  boolean signal(ClaimFilter f) {
    return withSpace(
        f.spaceId(),
        false,
        s -> {
          Group g = s.groups.get(f);
          return g != null && start(g);
        });
  }

  /** Starts a claim unless one runs (then it runs once more when done). */
  private static boolean start(Group g) {
    if (g.claiming) {
      g.again = true;
      return false;
    }
    g.claiming = !g.waiters.isEmpty();
    return g.claiming;
  }

  /**
   * The group's claim begins: counts its waiting polls, oldest first, up to {@code max} jobs.
   *
   * @return how many jobs to claim; 0 ends the claim
   */
  int beginClaim(ClaimFilter f, int max) {
    return withSpace(
        f.spaceId(),
        false,
        s -> {
          Group g = s.groups.get(f);
          if (g == null) {
            return 0;
          }
          g.again = false;
          int total = 0;
          for (WaitingPoll w : g.waiters) {
            if (total >= max) {
              break;
            }
            if (w.stage == Stage.WAITING) {
              w.stage = Stage.IN_CLAIM;
              total += w.count;
            }
          }
          if (total == 0) {
            g.claiming = false;
          }
          return total;
        });
  }

  /**
   * Settles a group's claim: hands its jobs to the group's polls, oldest first, sends the answers,
   * and passes jobs a poll could no longer take (its request ended meanwhile) to the next one. Only
   * when no poll is left to take them do they wait for their delivery timeout.
   *
   * @param asked how many jobs the claim asked for
   * @param error the claim's failure (answered to the polls it counted), or null
   * @return whether the group's claim must run again
   */
  boolean settle(
      ClaimFilter f, List<Delivery> jobs, int asked, RuntimeException error, boolean accepting) {
    Deque<Delivery> rest = new ArrayDeque<>(jobs);
    Handout h = handOut(f, rest, true, jobs.size() >= asked, error, accepting);
    send(h.answers(), rest);
    while (!rest.isEmpty()) {
      Handout more = handOut(f, rest, false, false, null, accepting);
      if (more.answers().isEmpty()) {
        log.info(
            "Polls went away before {} claimed job(s) were answered; "
                + "they return to pending at their delivery timeout",
            rest.size());
        break;
      }
      send(more.answers(), rest);
    }
    return h.claimAgain();
  }

  /** Sends answers; jobs a poll could no longer take go to {@code rest} (when not null). */
  static void send(List<Answer> answers, Deque<Delivery> rest) {
    for (Answer a : answers) {
      if (a.error() != null) {
        a.waiter().result.setErrorResult(a.error());
      } else if (!a.waiter().result.setResult(new Delivery.Batch(a.jobs())) && rest != null) {
        rest.addAll(a.jobs());
      }
    }
  }

  /**
   * Hands jobs to the group's waiters, oldest first, each up to its {@code count}. With {@code
   * claimEnded} this also settles the claim: the polls it counted and did not serve go back to
   * waiting (or are answered empty when their wait is over, or the error), and it decides whether
   * the claim runs again. Without, it only hands out jobs a vanished poll could not take.
   *
   * @param full the claim returned every job it asked for (more may be waiting)
   */
  private Handout handOut(
      ClaimFilter f,
      Deque<Delivery> jobs,
      boolean claimEnded,
      boolean full,
      RuntimeException error,
      boolean accepting) {
    return withSpace(
        f.spaceId(),
        false,
        s -> {
          Group g = s.groups.get(f);
          if (g == null) {
            return new Handout(List.of(), false);
          }
          List<Answer> answers = new ArrayList<>();
          for (Iterator<WaitingPoll> it = g.waiters.iterator(); it.hasNext(); ) {
            WaitingPoll w = it.next();
            // outside the claim's own hand-out, polls counted in a running claim wait for it
            if (!jobs.isEmpty() && !w.gone && (claimEnded || w.stage == Stage.WAITING)) {
              List<Delivery> share = new ArrayList<>(Math.min(w.count, jobs.size()));
              while (share.size() < w.count && !jobs.isEmpty()) {
                share.add(jobs.poll());
              }
              answers.add(new Answer(w, share, null));
            } else if (!claimEnded || w.stage != Stage.IN_CLAIM) {
              continue;
            } else if (w.gone) {
              it.remove();
              done(w);
              continue;
            } else if (error != null) {
              answers.add(new Answer(w, null, error));
            } else if (w.expired || !accepting) {
              answers.add(empty(w));
            } else {
              w.stage = Stage.WAITING;
              continue;
            }
            it.remove();
            done(w);
          }
          boolean again = false;
          if (claimEnded) {
            again =
                g.claiming
                    && accepting
                    && error == null
                    && (g.again || full)
                    && g.waiters.stream().anyMatch(w -> w.stage == Stage.WAITING);
            g.claiming = again;
          }
          return new Handout(answers, again);
        });
  }

  /** The groups that have waiting polls now, for the periodic re-check. */
  List<ClaimFilter> waitingFilters() {
    List<ClaimFilter> out = new ArrayList<>();
    for (Space s : spaces.values()) {
      synchronized (s) {
        s.groups.forEach(
            (f, g) -> {
              if (g.waiters.stream().anyMatch(w -> w.stage == Stage.WAITING)) {
                out.add(f);
              }
            });
      }
    }
    return out;
  }

  List<String> spaceIds() {
    return List.copyOf(spaces.keySet());
  }

  /** Shutdown: every waiting poll is answered empty, those in a claim when it ends. */
  List<Answer> expireAll() {
    List<Answer> out = new ArrayList<>();
    for (String id : spaceIds()) {
      withSpace(
          id,
          false,
          s -> {
            for (Group g : s.groups.values()) {
              for (WaitingPoll w : List.copyOf(g.waiters)) {
                if (leave(s, w, true)) {
                  out.add(empty(w));
                }
              }
            }
            return null;
          });
    }
    return out;
  }

  private static Answer empty(WaitingPoll w) {
    return new Answer(w, List.of(), null);
  }

  private void done(WaitingPoll w) {
    w.stage = Stage.DONE;
    registered.decrementAndGet();
    onDone.accept(w);
  }

  private <T> T withSpace(String id, boolean create, Function<Space, T> action) {
    while (true) {
      Space s = create ? spaces.computeIfAbsent(id, k -> new Space()) : spaces.get(id);
      if (s == null) {
        return action.apply(new Space()); // nothing registered: act on an empty space
      }
      synchronized (s) {
        if (s.dead) {
          continue;
        }
        try {
          return action.apply(s);
        } finally {
          s.groups.values().removeIf(g -> g.waiters.isEmpty() && !g.claiming);
          if (s.ownClaims == 0 && s.groups.isEmpty()) {
            s.dead = true;
            spaces.remove(id, s);
          }
        }
      }
    }
  }
}
