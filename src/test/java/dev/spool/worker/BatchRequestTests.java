package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.web.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class BatchRequestTests {

  static final JsonMapper JSON = JsonMapper.builder().build();

  static BatchRequest parse(String json, BatchRequest.Kind kind) {
    return BatchRequest.parse(JSON.readTree(json), kind, 1000);
  }

  @Test
  void itemsKeepTheirOrderAndOptionalFieldsTakeTheSingleCallsDefaults() {
    BatchRequest batch =
        parse(
            "{\"jobs\":[{\"id\":\"b\",\"deliveryId\":\" \",\"error\":null,\"retry\":null},"
                + "{\"id\":\"a\",\"deliveryId\":\"d1\",\"error\":\"x\",\"retry\":false}]}",
            BatchRequest.Kind.FAIL);

    assertThat(batch.items()).extracting(BatchRequest.Item::id).containsExactly("b", "a");
    BatchRequest.Item first = batch.items().get(0);
    assertThat(first.deliveryId()).isNull(); // blank, like a blank x-delivery-id header
    assertThat(first.error()).isNull();
    assertThat(first.retry()).isTrue();
    BatchRequest.Item second = batch.items().get(1);
    assertThat(second.deliveryId()).isEqualTo("d1");
    assertThat(second.error().asString()).isEqualTo("x");
    assertThat(second.retry()).isFalse();
  }

  @Test
  void fieldsOfAnotherCallAreIgnoredLikeAnyUnknownField() {
    BatchRequest batch =
        parse("{\"jobs\":[{\"id\":\"a\",\"result\":1,\"retry\":\"no\"}]}", BatchRequest.Kind.ACK);

    assertThat(batch.items().get(0).result()).isNull();
    assertThat(batch.items().get(0).retry()).isTrue();
  }

  @Test
  void theItemLimitIsTheConfiguredOne() {
    assertThatThrownBy(
            () ->
                BatchRequest.parse(
                    JSON.readTree("{\"jobs\":[{\"id\":\"a\"},{\"id\":\"b\"}]}"),
                    BatchRequest.Kind.COMPLETE,
                    1))
        .isInstanceOf(ApiException.class)
        .hasMessage("Too many jobs in one request (max 1)");
  }
}
