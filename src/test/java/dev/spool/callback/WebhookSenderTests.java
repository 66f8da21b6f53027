package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;

class WebhookSenderTests {

  @Test
  void aRefusalIsReportedWithoutTheAddressItRefused() {
    Exception e =
        new ResourceAccessException(
            "I/O error",
            new GuardedDnsResolver.AddressNotAllowedException("Address 10.0.0.1 is not allowed"));
    assertThat(WebhookSender.describe(e)).isEqualTo("Address not allowed");
  }

  @Test
  void networkFailuresGetShortSentences() {
    assertThat(
            WebhookSender.describe(
                new ResourceAccessException("x", new ConnectException("refused"))))
        .isEqualTo("Connection refused");
    assertThat(
            WebhookSender.describe(
                new ResourceAccessException("x", new SocketTimeoutException("Read timed out"))))
        .isEqualTo("Timed out waiting for the response");
  }

  @Test
  void keptResponseTextNeverCarriesNulAndEmptyIsNull() {
    assertThat(WebhookSender.text(new byte[] {'a', 0, 'b'})).isEqualTo("a\uFFFDb");
    assertThat(WebhookSender.text(new byte[0])).isNull();
  }
}
