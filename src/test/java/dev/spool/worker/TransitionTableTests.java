package dev.spool.worker;

import static dev.spool.job.JobStatus.COMPLETED;
import static dev.spool.job.JobStatus.DEAD;
import static dev.spool.job.JobStatus.DELIVERED;
import static dev.spool.job.JobStatus.KILLED;
import static dev.spool.job.JobStatus.PENDING;
import static dev.spool.job.JobStatus.RUNNING;
import static dev.spool.job.JobStatus.SCHEDULED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.ClaimSql;
import dev.spool.job.JobSql;
import dev.spool.job.JobStatus;
import dev.spool.job.TransitionSql;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The guarded statements name exactly the source states the transition table allows. */
class TransitionTableTests {

  static String inList(Set<JobStatus> states) {
    return states.stream()
        .sorted()
        .map(s -> "'" + s.wire() + "'")
        .collect(Collectors.joining(", ", "status IN (", ")"));
  }

  @Test
  void ackMovesOnlyADeliveredJob() {
    assertThat(JobStatus.sourcesOf(RUNNING)).containsExactly(DELIVERED);
    assertThat(TransitionSql.ACK_OR_COMPLETE)
        .contains("THEN 'running'", "(o.kind = 'complete' OR j.status = 'delivered')");
  }

  @Test
  void completeAndFailTakeDeliveredOrRunningJobs() {
    assertThat(JobStatus.sourcesOf(COMPLETED)).containsExactlyInAnyOrder(DELIVERED, RUNNING);
    assertThat(JobStatus.sourcesOf(DEAD)).containsExactlyInAnyOrder(DELIVERED, RUNNING);
    assertThat(TransitionSql.ACK_OR_COMPLETE)
        .contains("j.status = ANY (ARRAY(VALUES ('delivered'), ('running')))");
    assertThat(TransitionSql.FAIL_IF_IN_FLIGHT).contains(inList(JobStatus.sourcesOf(DEAD)));
  }

  @Test
  void killTakesEveryActiveState() {
    assertThat(JobStatus.sourcesOf(KILLED))
        .containsExactlyInAnyOrder(SCHEDULED, PENDING, DELIVERED, RUNNING);
    assertThat(TransitionSql.KILL_IF_ACTIVE).contains(inList(JobStatus.sourcesOf(KILLED)));
  }

  @Test
  void claimsTakePendingOrDueScheduledJobs() {
    assertThat(JobStatus.sourcesOf(DELIVERED)).containsExactlyInAnyOrder(SCHEDULED, PENDING);
    assertThat(ClaimSql.CLAIM_ANY)
        .contains("status IN ('pending', 'scheduled')", "available_at <= " + JobSql.NOW);
    assertThat(ClaimSql.CLAIM_ONE)
        .contains(
            "status = 'pending' OR (status = 'scheduled' AND available_at <= " + JobSql.NOW + ")");
  }

  @Test
  void batchFailsAndClaimsWithAckStateTheSameSourcesAsTheSingleCalls() {
    assertThat(TransitionSql.FAIL_MANY).contains(inList(JobStatus.sourcesOf(DEAD)));
    assertThat(ClaimSql.CLAIM_ANY_ACKED)
        .contains("status IN ('pending', 'scheduled')", "available_at <= " + JobSql.NOW, "'acked'");
    assertThat(ClaimSql.CLAIM_ONE_ACKED)
        .contains(
            "status = 'pending' OR (status = 'scheduled' AND available_at <= " + JobSql.NOW + ")",
            "'acked'");
  }

  @Test
  void aFailedAttemptGoesBackToTheQueueOrDies() {
    assertThat(DELIVERED.canMoveTo(PENDING)).isTrue();
    assertThat(RUNNING.canMoveTo(PENDING)).isTrue();
    assertThat(RUNNING.canMoveTo(SCHEDULED)).isTrue();
    assertThat(RUNNING.canMoveTo(DEAD)).isTrue();
  }

  @Test
  void terminalStatesAreFinal() {
    for (JobStatus terminal : Set.of(COMPLETED, DEAD, KILLED)) {
      assertThat(terminal.isTerminal()).isTrue();
      for (JobStatus next : JobStatus.values()) {
        assertThat(terminal.canMoveTo(next)).isFalse();
      }
    }
    assertThat(PENDING.canMoveTo(RUNNING)).isFalse();
    assertThat(SCHEDULED.canMoveTo(COMPLETED)).isFalse();
  }
}
