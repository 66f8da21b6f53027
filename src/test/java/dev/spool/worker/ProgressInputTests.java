package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.web.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ProgressInputTests {

  static final JsonMapper JSON = JsonMapper.builder().build();

  static Map<String, Object> validate(String json) {
    return ProgressInput.validate(JSON.readTree(json));
  }

  static ApiException failure(String json) {
    try {
      validate(json);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("accepted " + json);
  }

  @Test
  void numbersBeyondAnyDoubleAreOutOfRangeNotAnError() {
    JsonMapper decimals =
        JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    for (String percent : new String[] {"1e400", "-1e400", "1" + "0".repeat(400)}) {
      ApiException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              ApiException.class,
              () ->
                  ProgressInput.validate(
                      decimals.readTree("{\"percent\":" + percent + ",\"message\":\"m\"}")));
      assertThat(e).as(percent).isNotNull();
      assertThat(e.status().value()).isEqualTo(400);
      assertThat(e.details().get(0).field()).isEqualTo("percent");
    }
    assertThat(
            ProgressInput.validate(decimals.readTree("{\"percent\":1e1,\"message\":\"m\"}"))
                .get("percent"))
        .isEqualTo(10.0);
  }

  @Test
  void keepsOnlyTheDocumentedFieldsAndNullsWhatWasNotSent() {
    Map<String, Object> p =
        validate(
            "{\"percent\":12.5,\"message\":\"m\",\"junk\":1,\"subProgress\":{\"a\":{\"percent\":0}}}");
    assertThat(p).containsOnlyKeys("percent", "message", "subProgress");
    assertThat(p.get("percent")).isEqualTo(12.5);
    @SuppressWarnings("unchecked")
    Map<String, Object> stage =
        (Map<String, Object>) ((Map<String, Object>) p.get("subProgress")).get("a");
    assertThat(stage).containsEntry("percent", 0L).containsEntry("message", null);
    assertThat(validate("{\"percent\":100,\"message\":\"done\"}").get("subProgress")).isNull();
  }

  @Test
  void boundsAndTypesAreChecked() {
    assertThat(failure("{\"percent\":100.01,\"message\":\"m\"}").getMessage())
        .isEqualTo("percent must be a number between 0 and 100");
    assertThat(failure("{\"percent\":true,\"message\":\"m\"}").getMessage())
        .isEqualTo("percent must be a number between 0 and 100");
    assertThat(failure("{\"message\":\"m\"}").getMessage()).isEqualTo("percent is required");
    assertThat(failure("{\"percent\":1,\"message\":\"  \"}").getMessage())
        .isEqualTo("message must be a non-empty string");
    assertThat(failure("{\"percent\":1,\"message\":7}").getMessage())
        .isEqualTo("message must be a non-empty string");
    assertThat(
            failure(
                    "{\"percent\":1,\"message\":\"m\",\"subProgress\":{\"a\":{\"percent\":1,\"message\":3}}}")
                .getMessage())
        .isEqualTo("subProgress.a.message must be a string");
    assertThat(failure("{\"percent\":1,\"message\":\"m\",\"subProgress\":{\"a\":{}}}").getMessage())
        .isEqualTo("subProgress.a.percent is required");
    assertThatThrownBy(() -> validate("[]")).isInstanceOf(ApiException.class);
  }

  @Test
  void atMostAHundredStages() {
    StringBuilder b = new StringBuilder("{\"percent\":1,\"message\":\"m\",\"subProgress\":{");
    for (int i = 0; i <= 100; i++) {
      b.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":{\"percent\":1}");
    }
    assertThat(failure(b.append("}}").toString()).getMessage())
        .isEqualTo("subProgress may have at most 100 stages");
  }

  @Test
  void nulCharactersAreReplacedBecauseJsonbCannotStoreThem() {
    assertThat(validate("{\"percent\":1,\"message\":\"a\\u0000b\"}").get("message"))
        .isEqualTo("a\uFFFDb");
  }
}
