package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.callback.Receiver.Request;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CallbackSigningIntegrationTests extends CallbackTest {

  /**
   * A receiver's verification, written from the Standard Webhooks specification (not from Spool's
   * signer): HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}", keyed with the base64
   * after "whsec_", compared in constant time against each space-separated "v1," signature.
   */
  static boolean verifies(String secret, Request r) throws Exception {
    String id = r.header("webhook-id");
    String timestamp = r.header("webhook-timestamp");
    String header = r.header("webhook-signature");
    if (id == null || timestamp == null || header == null) {
      return false;
    }
    if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
      return false; // the spec's replay tolerance
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.split("_", 2)[1]), "HmacSHA256"));
    byte[] expected =
        mac.doFinal((id + "." + timestamp + "." + r.body()).getBytes(StandardCharsets.UTF_8));
    for (String part : header.split(" ")) {
      String[] versioned = part.split(",", 2);
      if (versioned.length == 2
          && versioned[0].equals("v1")
          && MessageDigest.isEqual(expected, Base64.getDecoder().decode(versioned[1]))) {
        return true;
      }
    }
    return false;
  }

  private record SignedSpace(TestSpace space, String secret) {}

  private SignedSpace signedSpace() {
    TestApi.Response created =
        api.post("/api/v1/spaces", api.adminKey(), "{\"name\":\"signed\",\"signingSecret\":true}");
    TestApi.require(created, 201);
    String id = created.json().get("id").asString();
    String secret = created.json().get("signingSecret").asString();
    String key = api.newKey(id, List.of("jobs:create", "jobs:read"));
    return new SignedSpace(
        new TestSpace(id, key, created.json().get("publicKey").asString()), secret);
  }

  @Test
  void aSignedCallbackVerifiesWithAnIndependentImplementationOfTheSpec() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      SignedSpace signed = signedSpace();
      assertThat(signed.secret()).startsWith("whsec_");
      assertThat(Base64.getDecoder().decode(signed.secret().substring(6))).hasSize(32);
      String id = jobWithCallback(signed.space(), receiver.url("/signed"), Map.of());
      worker.claimAndComplete("{\"a\":1}", id);

      Request r = receiver.next(WAIT);
      assertThat(r).isNotNull();
      assertThat(verifies(signed.secret(), r)).isTrue();
      assertThat(r.header("webhook-signature")).doesNotContain(" ");
      JsonNode attempt = awaitAttempts(signed.space(), id, 1).get(0);
      assertThat(r.header("webhook-id")).isEqualTo(attempt.get("webhookId").asString());
      // a tampered body fails the same check
      Request tampered =
          new Request(r.method(), r.path(), r.headers(), r.body().replace("1", "2"), r.at());
      assertThat(verifies(signed.secret(), tampered)).isFalse();
    }
  }

  @Test
  void theWebhookIdStaysTheSameAcrossRetries() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      receiver.reply(Receiver.Reply.of(500));
      SignedSpace signed = signedSpace();
      String id = jobWithCallback(signed.space(), receiver.url("/signed"), Map.of());
      worker.claimAndComplete("null", id);
      awaitAttempts(signed.space(), id, 2);
      List<Request> all = receiver.all();
      assertThat(all).hasSize(2);
      assertThat(all.get(1).header("webhook-id")).isEqualTo(all.get(0).header("webhook-id"));
      assertThat(verifies(signed.secret(), all.get(0))).isTrue();
      assertThat(verifies(signed.secret(), all.get(1))).isTrue();
    }
  }

  @Test
  void afterARotationBothTheNewAndThePreviousSecretVerify() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      SignedSpace signed = signedSpace();
      TestApi.Response rotated =
          api.post(
              "/api/v1/spaces/" + signed.space().id() + "/signing-secret",
              api.adminKey(),
              null,
              Map.of());
      assertThat(rotated.status()).isEqualTo(200);
      String newSecret = rotated.json().get("signingSecret").asString();
      assertThat(newSecret).startsWith("whsec_").isNotEqualTo(signed.secret());

      String id = jobWithCallback(signed.space(), receiver.url("/rotated"), Map.of());
      worker.claimAndComplete("null", id);
      Request r = receiver.next(WAIT);
      assertThat(r).isNotNull();
      assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
      assertThat(verifies(newSecret, r)).isTrue();
      assertThat(verifies(signed.secret(), r)).isTrue();
    }
  }
}
