package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.web.ApiException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PollRequestTests {

  static final JsonMapper JSON = JsonMapper.builder().build();

  static PollRequest parse(String json) {
    return PollRequest.parse(Optional.of(JSON.readTree(json)));
  }

  @Test
  void noBodyMeansOneJobOfAnyNameWithoutWaiting() {
    assertThat(PollRequest.parse(Optional.empty()))
        .isEqualTo(new PollRequest(1, java.util.List.of(), 0));
    assertThat(parse("{}")).isEqualTo(new PollRequest(1, java.util.List.of(), 0));
  }

  @Test
  void theFirstPresentFilterSpellingWins() {
    assertThat(parse("{\"name\":\"a\",\"types\":[\"t\"]}").names()).containsExactly("t");
    assertThat(parse("{\"name\":\"a\",\"type\":\"t\"}").names()).containsExactly("t");
    assertThat(parse("{\"name\":[\"a\",\"b\"],\"names\":[\"n\"]}").names()).containsExactly("n");
    assertThat(parse("{\"name\":[\"a\",\"b\"]}").names()).containsExactly("a", "b");
    assertThat(parse("{\"types\":[],\"name\":\"a\"}").names()).containsExactly("a");
  }

  @Test
  void countAndWaitMustBeIntegersInRange() {
    assertThat(parse("{\"count\":50,\"waitSeconds\":20}"))
        .isEqualTo(new PollRequest(50, java.util.List.of(), 20));
    assertThatThrownBy(() -> parse("{\"count\":0}")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> parse("{\"count\":1e10}")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> parse("{\"waitSeconds\":-1}")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> parse("{\"names\":\"a\"}")).isInstanceOf(ApiException.class);
  }

  @Test
  void ackIsAnOptionalBooleanThatDefaultsToFalse() {
    assertThat(parse("{}").ack()).isFalse();
    assertThat(parse("{\"ack\":null}").ack()).isFalse();
    assertThat(parse("{\"ack\":true,\"count\":5}"))
        .isEqualTo(new PollRequest(5, java.util.List.of(), 0, true));
    assertThatThrownBy(() -> parse("{\"ack\":\"true\"}"))
        .isInstanceOf(ApiException.class)
        .hasMessage("ack must be a boolean");
    assertThatThrownBy(() -> parse("{\"ack\":1}")).isInstanceOf(ApiException.class);
  }
}
