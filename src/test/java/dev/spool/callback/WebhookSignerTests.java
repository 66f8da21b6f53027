package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignerTests {

  @Test
  void matchesTheStandardWebhooksReferenceVector() {
    // the example of the Standard Webhooks specification and its reference libraries
    String signature =
        WebhookSigner.signature(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void signsWithEverySecretGivenSpaceSeparated() {
    String both =
        WebhookSigner.signature(
            "id",
            1,
            "{}",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assertThat(both.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
    assertThat(
            WebhookSigner.signature("id", 1, "{}", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null))
        .doesNotContain(" ");
  }
}
