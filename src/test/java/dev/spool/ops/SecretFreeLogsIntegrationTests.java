package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class SecretFreeLogsIntegrationTests extends IntegrationTest {

  /** Loggers turned up to DEBUG for the workload: ours and Spring MVC's request handling. */
  static final List<String> VERBOSE =
      List.of("dev.spool", "dev.spool.requests", "org.springframework.web");

  static final String CALLBACK_SECRET = "Bearer cb-secret-7f3a9c1e5b";
  static final String SIGNATURE_SECRET = "sig-secret-0d9e8f7a6b";
  static final Pattern ANY_KEY = Pattern.compile("emit_[A-Za-z0-9_-]{16,}");

  @Autowired LoggingSystem logging;

  @BeforeEach
  void verbose() {
    VERBOSE.forEach(name -> logging.setLogLevel(name, LogLevel.DEBUG));
  }

  @AfterEach
  void quiet() {
    VERBOSE.forEach(name -> logging.setLogLevel(name, null));
  }

  @Test
  void aFullWorkloadLogsOneLinePerRequestAndNoKeyOrSecret(CapturedOutput output) {
    TestSpace space = api.newSpace();
    String body =
        """
        {"name": "secretive", "payload": {"n": 1},
         "callbackUrl": "https://example.com/hook",
         "callbackHeaders": {"Authorization": "%s", "X-Signature": "%s"}}
        """
            .formatted(CALLBACK_SECRET, SIGNATURE_SECRET);
    String job = api.createJobs(space, body).get(0);
    // the same key as a Bearer token
    Response viaBearer =
        api.send(
            api.builder("/api/v1/jobs/" + job, null)
                .header("Authorization", "Bearer " + space.key())
                .GET()
                .build());
    assertThat(viaBearer.status()).isEqualTo(200);
    assertThat(viaBearer.body()).contains(SIGNATURE_SECRET);
    // failures of every kind, which are where secrets tend to slip into logs
    String wrongKey = "emit_not-a-real-key-but-secret-looking-123456";
    assertThat(api.get("/api/v1/jobs/" + job, wrongKey).status()).isEqualTo(401);
    assertThat(
            api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), "{\"name\": ").status())
        .isEqualTo(400);
    assertThat(
            api.post(
                    "/api/v1/spaces/" + space.id() + "/jobs",
                    space.key(),
                    body,
                    Map.of("Content-Type", "text/plain"))
                .status())
        .isEqualTo(415);
    assertThat(api.get("/api/v1/realtime/" + job + "?token=" + space.key(), null).status())
        .isNotEqualTo(500);
    assertThat(api.get("/api/v1/jobs/01JUNKNOWNJOB0000000000000", space.key()).status())
        .isEqualTo(404);
    assertThat(api.get("/api/v1/spaces/" + space.id() + "/keys", api.adminKey()).status())
        .isEqualTo(200);
    api.send(
        HttpRequest.newBuilder(java.net.URI.create(api.base() + "/api/v1/jobs/" + job))
            .header("x-api-key", space.key())
            .header("Cookie", "session=" + space.key())
            .GET()
            .build());

    String log = output.getAll();
    assertThat(log)
        .as("one DEBUG line per request")
        .contains("POST /api/v1/spaces/" + space.id() + "/jobs 201")
        .contains("GET /api/v1/jobs/" + job + " 200")
        .contains("GET /api/v1/jobs/" + job + " 401 ");
    for (String secret :
        List.of(
            space.key(),
            api.adminKey(),
            wrongKey,
            CALLBACK_SECRET,
            "cb-secret-7f3a9c1e5b",
            SIGNATURE_SECRET,
            space.publicKey())) {
      assertThat(log).as("a secret in the log").doesNotContain(secret);
    }
    assertThat(ANY_KEY.matcher(log).find()).as("anything that looks like a key").isFalse();
  }
}
