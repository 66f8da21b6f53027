package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The callback loop wakes for a statement that may have written a delivery: one that made a job
 * terminal, or one whose notification does not say what it appended.
 */
class CallbackWakeTests {

  @Test
  void onlyTerminalEventsWakeTheLoopWhenThePayloadCountsThem() {
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5:S1|9|0.delivered=3,0.acked=3"))
        .isFalse();
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5:S1|9|0.created=1")).isFalse();
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5:S1|9|")).isFalse();
    for (String terminal : new String[] {"completed", "dead", "killed"}) {
      assertThat(
              CallbackDispatcher.mayHaveWrittenDeliveries(
                  "5:S1,S2|9|0.acked=1,1." + terminal + "=1"))
          .as(terminal)
          .isTrue();
    }
  }

  @Test
  void aPayloadWithoutCountsAlwaysWakesIt() {
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5:S1")).isTrue();
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5:*")).isTrue();
    assertThat(CallbackDispatcher.mayHaveWrittenDeliveries("5")).isTrue();
  }
}
