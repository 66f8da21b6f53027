package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TxSnapshotTests {

  @Test
  void aSnapshotSeesTransactionsBelowXminAndFinishedOnesBelowXmaxOnly() {
    TxSnapshot s = TxSnapshot.parse("100:105:101,103");
    assertThat(s.sees(99)).isTrue();
    assertThat(s.sees(100)).isTrue();
    assertThat(s.sees(101)).isFalse();
    assertThat(s.sees(102)).isTrue();
    assertThat(s.sees(103)).isFalse();
    assertThat(s.sees(105)).isFalse();
    assertThat(s.sees(200)).isFalse();
  }

  @Test
  void aSnapshotWithoutRunningTransactionsParses() {
    TxSnapshot s = TxSnapshot.parse("7:7:");
    assertThat(s.sees(6)).isTrue();
    assertThat(s.sees(7)).isFalse();
  }

  @Test
  void eventTypesImplyTheJobsStatusWhereTheyCan() {
    assertThat(event("progress", "completed").status()).isEqualTo("running");
    assertThat(event("my_custom_step", "dead").status()).isEqualTo("running");
    assertThat(event("created", "running").status()).isEqualTo("pending");
    assertThat(event("retried", "scheduled").status()).isEqualTo("scheduled");
    assertThat(event("retried", "running").status()).isEqualTo("pending");
    assertThat(event("callback_sent", "completed").status()).isEqualTo("completed");
  }

  private static StoredEvent event(String type, String jobStatus) {
    return new StoredEvent(1, 1, "j", "s", type, null, "t", "n", jobStatus);
  }
}
