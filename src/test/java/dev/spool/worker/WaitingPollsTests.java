package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.web.context.request.async.DeferredResult;

/** The bookkeeping of waiting polls: who shares a claim, who gets which jobs, who is answered. */
class WaitingPollsTests {

  final List<WaitingPoll> left = new ArrayList<>();
  final WaitingPolls polls = new WaitingPolls(left::add);
  final ClaimFilter any = new ClaimFilter("space", List.of(), false);

  WaitingPoll waiting(ClaimFilter filter, int count) {
    WaitingPoll w = new WaitingPoll(filter, count, "key", new DeferredResult<>());
    polls.register(w);
    assertThat(polls.ownClaimEmpty(w, true).answers()).isEmpty();
    return w;
  }

  static List<Delivery> jobs(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Delivery("job" + i, "n", "{}", 60, 3, 1, "t", "d" + i, null))
        .toList();
  }

  @SuppressWarnings("unchecked")
  static List<String> ids(WaitingPoll w) {
    Object r = w.result.getResult();
    return r == null ? null : ((Delivery.Batch) r).jobs().stream().map(Delivery::id).toList();
  }

  @Test
  void aPollMaySkipItsOwnClaimOnlyWhilePollsOfItsGroupWaitWithNoClaimRunning() {
    WaitingPoll alone = new WaitingPoll(any, 1, "key", new DeferredResult<>());
    assertThat(polls.register(alone)).as("nobody waits yet").isFalse();
    assertThat(polls.ownClaimEmpty(alone, true).answers()).isEmpty();

    WaitingPoll joining = new WaitingPoll(any, 1, "key", new DeferredResult<>());
    assertThat(polls.register(joining)).as("a poll of its group waits, no claim runs").isTrue();
    assertThat(polls.ownClaimEmpty(joining, true).claimAgain()).isFalse();

    ClaimFilter named = ClaimFilter.of("space", new PollRequest(1, List.of("a"), 5));
    assertThat(polls.register(new WaitingPoll(named, 1, "key", new DeferredResult<>())))
        .as("another filter's group")
        .isFalse();

    assertThat(polls.wake("space")).contains(any);
    assertThat(polls.beginClaim(any, 100)).isEqualTo(2);
    assertThat(polls.register(new WaitingPoll(any, 1, "key", new DeferredResult<>())))
        .as("a claim runs for the group")
        .isFalse();
  }

  @Test
  void aWakeStartsOneClaimForAllPollsOfAGroupAndAsksForTheSumOfTheirCounts() {
    waiting(any, 2);
    waiting(any, 3);
    waiting(any, 1);

    assertThat(polls.wake("space")).containsExactly(any);
    assertThat(polls.wake("space")).isEmpty(); // folded into the running claim
    assertThat(polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM)).isEqualTo(6);
  }

  @Test
  void pollsWithTheSameNamesInAnyOrderShareAGroupAndOtherFiltersGetTheirOwn() {
    ClaimFilter ab = ClaimFilter.of("space", new PollRequest(1, List.of("b", "a", "b"), 5));
    waiting(ab, 1);
    waiting(ClaimFilter.of("space", new PollRequest(1, List.of("a", "b"), 5)), 1);
    waiting(any, 1);

    assertThat(ab.names()).containsExactly("a", "b");
    assertThat(polls.wake("space")).containsExactlyInAnyOrder(ab, any);
    assertThat(polls.beginClaim(ab, LongPolls.MAX_GROUP_CLAIM)).isEqualTo(2);
  }

  @Test
  void theClaimedJobsGoToTheOldestPollsFirstEachUpToItsCount() {
    WaitingPoll first = waiting(any, 2);
    WaitingPoll second = waiting(any, 2);
    WaitingPoll third = waiting(any, 2);
    polls.wake("space");
    int asked = polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM);

    boolean again = polls.settle(any, jobs(3), asked, null, true);

    assertThat(ids(first)).containsExactly("job0", "job1");
    assertThat(ids(second)).containsExactly("job2");
    assertThat(ids(third)).isNull(); // still waiting
    assertThat(again).isFalse();
    assertThat(polls.size()).isEqualTo(1);
    assertThat(left).containsExactly(first, second);
  }

  @Test
  void aPollWhoseRequestEndedDuringTheClaimLeavesItsJobsToTheNextPoll() {
    WaitingPoll gone = waiting(any, 1);
    WaitingPoll next = waiting(any, 1);
    polls.wake("space");
    int asked = polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM);
    polls.gone(gone);

    polls.settle(any, jobs(1), asked, null, true);

    assertThat(ids(gone)).isNull();
    assertThat(ids(next)).containsExactly("job0");
    assertThat(polls.size()).isZero();
  }

  @Test
  void aPollAnsweredElsewhereJustBeforeTheHandOutPassesItsJobsOn() {
    WaitingPoll answered = waiting(any, 2);
    WaitingPoll next = waiting(any, 5);
    polls.wake("space");
    polls.beginClaim(any, 1); // counts only the first poll
    answered.result.setResult(Delivery.Batch.EMPTY); // e.g. its request timed out meanwhile

    polls.settle(any, jobs(2), 2, null, true);

    assertThat(ids(next)).containsExactly("job0", "job1");
  }

  @Test
  void aPollWhoseWaitEndedDuringTheClaimStillGetsJobsOrElseAnEmptyAnswer() {
    WaitingPoll served = waiting(any, 1);
    WaitingPoll unserved = waiting(any, 1);
    polls.wake("space");
    int asked = polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM);
    assertThat(polls.expire(served)).isFalse(); // answered when the claim ends
    assertThat(polls.expire(unserved)).isFalse();

    polls.settle(any, jobs(1), asked, null, true);

    assertThat(ids(served)).containsExactly("job0");
    assertThat(ids(unserved)).isEmpty();
    assertThat(polls.size()).isZero();
  }

  @Test
  void aWakeDuringAPollsFirstClaimMakesItsGroupClaimOnceItWaits() {
    WaitingPoll w = new WaitingPoll(any, 1, "key", new DeferredResult<>());
    polls.register(w);
    polls.wake("space"); // a job committed while the first claim ran

    assertThat(polls.ownClaimEmpty(w, true).claimAgain()).isTrue();
  }

  @Test
  void aWakeDuringAGroupClaimRunsItOnceMoreAndAFullClaimToo() {
    waiting(any, 1);
    waiting(any, 1);
    polls.wake("space");
    polls.beginClaim(any, 1);
    polls.wake("space");

    assertThat(polls.settle(any, List.of(), 1, null, true)).isTrue();
    assertThat(polls.beginClaim(any, 1)).isEqualTo(1);
    assertThat(polls.settle(any, jobs(1), 1, null, true)).isTrue(); // full: more may wait
  }

  @Test
  void aFailedClaimIsAnsweredToThePollsItCountedOnly() {
    WaitingPoll counted = waiting(any, 1);
    polls.wake("space");
    int asked = polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM);
    WaitingPoll later = waiting(any, 1);

    polls.settle(any, List.of(), asked, new IllegalStateException("down"), true);

    assertThat(counted.result.getResult()).isInstanceOf(IllegalStateException.class);
    assertThat(later.result.hasResult()).isFalse();
  }

  @Test
  void shutdownAnswersWaitingPollsEmptyAndThoseInAClaimWhenItEnds() {
    WaitingPoll idle = waiting(ClaimFilter.of("space", new PollRequest(1, List.of("x"), 5)), 1);
    WaitingPoll claimed = waiting(any, 1);
    assertThat(polls.signal(any)).isTrue();
    int asked = polls.beginClaim(any, LongPolls.MAX_GROUP_CLAIM);

    WaitingPolls.send(polls.expireAll(), null);
    assertThat(ids(idle)).isEmpty();
    assertThat(claimed.result.hasResult()).isFalse();
    polls.settle(any, List.of(), asked, null, false);

    assertThat(ids(claimed)).isEmpty();
    assertThat(polls.size()).isZero();
    assertThat(polls.spaceIds()).isEmpty();
  }
}
