package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NotifiedSpacesTests {

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final NotifiedSpaces notified = new NotifiedSpaces(Duration.ofSeconds(2), nanos::get);

  @Test
  void theFirstTurnLooksAtEverySpaceThenOnlyAtTheNotifiedOnes() {
    assertThat(notified.take()).isNull();
    notified.add("812:S1,S2");
    notified.add("813:S2");
    notified.addSpace("S3");
    assertThat(notified.take()).containsExactlyInAnyOrder("S1", "S2", "S3");
    assertThat(notified.take()).as("taken out").isEmpty();
  }

  @Test
  void aPayloadWithoutSpacesAReconnectOrLeftWorkAskForEverySpace() {
    notified.take();
    notified.add("814:*");
    assertThat(notified.take()).isNull();
    notified.add("815");
    assertThat(notified.take()).as("a bare transaction id names no spaces").isNull();
    notified.addSpace("");
    assertThat(notified.take()).isNull();
    notified.add("816:S1");
    notified.everything();
    assertThat(notified.take()).isNull();
    assertThat(notified.take()).as("what the full turn covered is not looked at again").isEmpty();
  }

  @Test
  void everyPollIntervalOneTurnLooksAtEverySpace() {
    notified.take();
    notified.add("817:S1");
    nanos.addAndGet(Duration.ofMillis(1_999).toNanos());
    assertThat(notified.take()).containsExactly("S1");
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    notified.add("818:S2");
    assertThat(notified.take()).isNull();
    nanos.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(notified.take()).isEmpty();
  }
}
