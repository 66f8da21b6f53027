package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which spaces a batch of notifications lets the Citus metrics read route to. */
class JobEventMetricsSpacesTests {

  @Test
  void theSpacesOfEveryNotificationOnceEach() {
    assertThat(
            JobEventMetrics.spacesOf(
                List.of(
                    new JobEventMetrics.Tx(7, List.of("S2", "S1")),
                    new JobEventMetrics.Tx(8, List.of("S1")))))
        .containsExactly("S1", "S2");
  }

  @Test
  void aNotificationWithoutSpacesOrTooManySpacesMeansEverySpace() {
    assertThat(
            JobEventMetrics.spacesOf(
                List.of(new JobEventMetrics.Tx(7, List.of("S1")), new JobEventMetrics.Tx(8, null))))
        .isNull();
    List<JobEventMetrics.Tx> many = new ArrayList<>();
    for (int i = 0; i <= JobEventMetrics.ROUTED_SPACES; i++) {
      many.add(new JobEventMetrics.Tx(i, List.of("S" + i)));
    }
    assertThat(JobEventMetrics.spacesOf(many)).isNull();
    assertThat(JobEventMetrics.spacesOf(many.subList(0, JobEventMetrics.ROUTED_SPACES)))
        .hasSize(JobEventMetrics.ROUTED_SPACES);
  }
}
