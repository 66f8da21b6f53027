package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The document size limit counts UTF-8 bytes of the stored text, as the encoder would. */
class Utf8LengthTests {

  @Test
  void countsEveryEncodedLengthAsTheEncoderDoes() {
    for (String text :
        List.of(
            "",
            "{\"a\":1}",
            "caf\u00e9 \u00fc\u00df",
            "\u20ac \u4e2d\u6587",
            "emoji \ud83d\ude00 and \ud83c\udf89",
            "mixed: a\u00e9\u20ac\ud83d\ude00z")) {
      assertThat(JsonBodies.utf8Length(text))
          .as(text)
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void aLoneSurrogateCountsAsItsReplacement() {
    assertThat(JsonBodies.utf8Length("a\ud83db")).isEqualTo(5);
  }
}
