package dev.spool.callback;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, keyed with
 * the base64-decoded part of the secret after {@code whsec_}. Several secrets (the current one and,
 * for 24 h after a rotation, the previous one) give several space-separated signatures.
 */
final class WebhookSigner {

  static final String PREFIX = "whsec_";

  private WebhookSigner() {}

  /** The {@code webhook-signature} header value; secrets that are null are skipped. */
  static String signature(String id, long timestampSeconds, String body, String... secrets) {
    byte[] content = (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
    StringJoiner header = new StringJoiner(" ");
    for (String secret : secrets) {
      if (secret != null) {
        header.add("v1," + Base64.getEncoder().encodeToString(hmac(key(secret), content)));
      }
    }
    return header.toString();
  }

  static byte[] key(String secret) {
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }

  private static byte[] hmac(byte[] key, byte[] content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
