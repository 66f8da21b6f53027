package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The transition table on its own. That the statements follow it is checked against PostgreSQL by
 * {@code worker/TransitionTableIntegrationTests}.
 */
class JobStatusTests {

  @Test
  void sourcesOfATargetAreExactlyTheStatesThatMayMoveToIt() {
    for (JobStatus target : JobStatus.values()) {
      Set<JobStatus> expected = EnumSet.noneOf(JobStatus.class);
      for (JobStatus from : JobStatus.values()) {
        if (from.canMoveTo(target)) {
          expected.add(from);
        }
      }
      assertThat(JobStatus.sourcesOf(target)).as(target.wire()).isEqualTo(expected);
    }
  }

  @Test
  void onlyTheTerminalStatesAreFinalAndNoStateMovesToItself() {
    for (JobStatus s : JobStatus.values()) {
      boolean final_ = EnumSet.allOf(JobStatus.class).stream().noneMatch(s::canMoveTo);
      assertThat(final_).as(s.wire()).isEqualTo(s.isTerminal());
      assertThat(s.canMoveTo(s)).as(s.wire()).isFalse();
    }
    assertThat(EnumSet.allOf(JobStatus.class).stream().filter(JobStatus::isTerminal))
        .containsExactlyInAnyOrder(JobStatus.COMPLETED, JobStatus.DEAD, JobStatus.KILLED);
  }

  @Test
  void theWireNamesAreTheSchemasAndReadBack() {
    assertThat(EnumSet.allOf(JobStatus.class).stream().map(JobStatus::wire))
        .containsExactly(
            "scheduled", "pending", "delivered", "running", "completed", "dead", "killed");
    for (JobStatus s : JobStatus.values()) {
      assertThat(JobStatus.fromWire(s.wire())).contains(s);
    }
    assertThat(JobStatus.fromWire("PENDING")).isEmpty();
  }
}
