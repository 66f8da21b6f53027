package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramsTests {

  @Test
  void createPollAndClaimGetHistogramsAndNothingElse() {
    assertThat(LatencyHistograms.HOT_URIS.matcher("/api/v1/spaces/{spaceId}/jobs").matches()).isTrue();
    assertThat(LatencyHistograms.HOT_URIS.matcher("/api/v1/spaces/{id}/jobs/poll").matches()).isTrue();
    assertThat(LatencyHistograms.HOT_URIS.matcher("/api/v1/jobs/{jobId}/claim").matches()).isTrue();
    assertThat(LatencyHistograms.HOT_URIS.matcher("/api/v1/jobs/{jobId}").matches()).isFalse();
    assertThat(LatencyHistograms.HOT_URIS.matcher("/api/v1/spaces").matches()).isFalse();
  }
}
