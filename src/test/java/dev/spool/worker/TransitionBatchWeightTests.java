package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How much of a batch a request takes: big results make small batches. */
class TransitionBatchWeightTests {

  static Transitions.Op complete(int resultBytes) {
    return new Transitions.Op(
        "complete", "J", null, null, "\"" + "x".repeat(resultBytes - 2) + "\"");
  }

  @Test
  void acksAndSmallResultsTakeOneSlot() {
    assertThat(Transitions.weight(new Transitions.Op("ack", "J", null, null, null))).isEqualTo(1);
    assertThat(Transitions.weight(complete(100))).isEqualTo(1);
  }

  @Test
  void aMegabyteResultFillsABatchAlone() {
    assertThat(Transitions.weight(complete(Transitions.RESULT_BYTES_PER_SLOT))).isEqualTo(2);
    assertThat(Transitions.weight(complete(1024 * 1024))).isGreaterThan(Transitions.MAX_BATCH);
  }
}
