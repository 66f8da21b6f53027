package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The default configuration: no CIDR is allowed. Host names come from {@link
 * dev.spool.support.MadeUpDns}; the one real server listens on 127.0.0.1 and must never see a
 * request.
 */
class AddressGuardIntegrationTests extends IntegrationTest {

  @Test
  void callbacksToInternalAddressesAreRefusedWithoutAConnectionNorNamingTheAddress()
      throws Exception {
    try (Receiver receiver = Receiver.start()) {
      int port = receiver.port();
      TestSpace space = api.newSpace();
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("http://loopback.evil.test:" + port + "/", "Address not allowed");
      cases.put("http://private.evil.test:" + port + "/", "Address not allowed");
      cases.put("http://metadata.evil.test/latest/meta-data/", "Address not allowed");
      cases.put("http://ipv6-loopback.evil.test:" + port + "/", "Address not allowed");
      cases.put("http://mapped.evil.test:" + port + "/", "Address not allowed");
      cases.put("http://mixed.evil.test/", "Address not allowed");
      cases.put("http://127.0.0.1:" + port + "/", "Address not allowed");
      cases.put("http://[::1]:" + port + "/", "Address not allowed");
      cases.put("http://[::ffff:127.0.0.1]:" + port + "/", "Address not allowed");
      cases.put("https://169.254.169.254/", "Address not allowed");

      Map<String, String> urlOf = new java.util.LinkedHashMap<>();
      for (String url : cases.keySet()) {
        String id = jobs.in(space).name("ssrf").status(JobStatus.COMPLETED).callback(url).insert();
        urlOf.put(id, url);
      }

      for (Map.Entry<String, String> job : urlOf.entrySet()) {
        JsonNode attempt = firstAttempt(space, job.getKey());
        assertThat(attempt.get("error").asString())
            .as(job.getValue())
            .isEqualTo(cases.get(job.getValue()));
        assertThat(attempt.toString())
            .as("the DNS answer is never shown")
            .doesNotContain("10.0.0.1");
        assertThat(attempt.get("statusCode").isNull()).isTrue();
        assertThat(attempt.get("willRetry").asBoolean()).isTrue();
      }
      assertThat(receiver.next(Duration.ofMillis(200)))
          .as("no connection reached the receiver")
          .isNull();
    }
  }

  private JsonNode firstAttempt(TestSpace space, String jobId) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < end) {
      JsonNode attempts = api.get("/api/v1/jobs/" + jobId + "/callbacks", space.key()).json();
      if (!attempts.isEmpty()) {
        return attempts.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no attempt for " + jobId);
  }
}
