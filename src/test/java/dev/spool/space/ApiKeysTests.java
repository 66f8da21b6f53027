package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApiKeysTests {

  // no repository and no throttle: a value that reached either would fail with an NPE
  final ApiKeys keys =
      new ApiKeys(
          null, new KeyProperties("emit_", Duration.ofSeconds(5), 100), Clock.systemUTC(), null);

  @Test
  void valuesThatCannotBeKeysAreRefusedWithoutALookup() {
    assertThat(keys.resolve("x", "10.0.0.1")).isEmpty();
    assertThat(keys.resolve("emit_short", "10.0.0.1")).isEmpty();
    assertThat(keys.resolve("nope_" + "a".repeat(40), "10.0.0.1")).isEmpty();
    assertThat(keys.resolve("emit_" + "a".repeat(600), "10.0.0.1")).isEmpty();
    assertThat(keys.resolve(null, "10.0.0.1")).isEmpty();
  }

  @Test
  void generatedKeysAndOperatorChosenAdminKeysArePlausible() {
    assertThat(keys.plausible(keys.generate())).isTrue();
    assertThat(keys.plausible("emit_" + "a".repeat(ApiKeys.MIN_SECRET_CHARS))).isTrue();
    assertThat(keys.plausible("emit_" + "a".repeat(ApiKeys.MIN_SECRET_CHARS - 1))).isFalse();
  }
}
