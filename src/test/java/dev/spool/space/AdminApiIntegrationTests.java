package dev.spool.space;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The admin API of docs/api.md §7: spaces and keys. */
class AdminApiIntegrationTests extends IntegrationTest {

  Response admin(String method, String path, String body) {
    return switch (method) {
      case "GET" -> api.get("/api/v1" + path, api.adminKey());
      case "POST" -> api.post("/api/v1" + path, api.adminKey(), body);
      case "PATCH" -> api.patch("/api/v1" + path, api.adminKey(), body);
      case "DELETE" -> api.delete("/api/v1" + path, api.adminKey());
      default -> throw new IllegalArgumentException(method);
    };
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  @Test
  void aNewSpaceHasAPublicProgressKeyAndNothingElseConfigured() {
    Response r = admin("POST", "/spaces", "{\"name\":\"acme\"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode space = r.json();
    assertThat(space.propertyNames())
        .containsExactly("id", "name", "createdAt", "publicKey", "signingSecret", "push", "slack");
    assertThat(space.get("id").asString()).hasSize(26);
    assertThat(space.get("name").asString()).isEqualTo("acme");
    assertThat(space.get("publicKey").asString()).startsWith("emit_").hasSize(45);
    assertThat(space.get("signingSecret").isNull()).isTrue();
    assertThat(space.get("push").isNull()).isTrue();
    assertThat(space.get("slack").isNull()).isTrue();

    // the public key reads progress only
    String id = space.get("id").asString();
    Response create =
        api.post(
            "/api/v1/spaces/" + id + "/jobs",
            space.get("publicKey").asString(),
            "{\"name\":\"a\"}");
    assertThat(create.status()).isEqualTo(403);
  }

  @Test
  void aSpaceCanBeCreatedWithASigningSecretAndTheSecretRotated() {
    JsonNode space =
        admin("POST", "/spaces", "{\"name\":\"signed\",\"signingSecret\":true}").json();
    String first = space.get("signingSecret").asString();
    assertThat(first).startsWith("whsec_");
    Response rotated =
        admin("POST", "/spaces/" + space.get("id").asString() + "/signing-secret", null);
    assertThat(rotated.status()).isEqualTo(200);
    assertThat(rotated.json().get("signingSecret").asString())
        .startsWith("whsec_")
        .isNotEqualTo(first);
  }

  @Test
  void spacesAreListedReadRenamedAndDeleted() {
    String id = admin("POST", "/spaces", "{\"name\":\"one\"}").json().get("id").asString();
    List<String> listed = new ArrayList<>();
    admin("GET", "/spaces", null).json().forEach(s -> listed.add(s.get("id").asString()));
    assertThat(listed).contains(id);
    assertThat(admin("GET", "/spaces/" + id, null).json().get("name").asString()).isEqualTo("one");

    Response renamed = admin("PATCH", "/spaces/" + id, "{\"name\":\"two\"}");
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.json().get("name").asString()).isEqualTo("two");
    assertThat(admin("PATCH", "/spaces/" + id, "{}").json().get("name").asString())
        .isEqualTo("two");

    Response deleted = admin("DELETE", "/spaces/" + id, null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(admin("GET", "/spaces/" + id, null).status()).isEqualTo(404);
  }

  @Test
  void aSpaceNameIsRequiredAndValidated() {
    assertThat(admin("POST", "/spaces", "{}").error()).isEqualTo("name is required");
    assertThat(admin("POST", "/spaces", "{\"name\":\"\"}").status()).isEqualTo(400);
    assertThat(admin("POST", "/spaces", "{\"name\":7}").status()).isEqualTo(400);
    assertThat(admin("POST", "/spaces", "{\"name\":\"" + "s".repeat(256) + "\"}").status())
        .isEqualTo(400);
    assertThat(admin("POST", "/spaces", "{\"name\":\"a\",\"signingSecret\":\"yes\"}").status())
        .isEqualTo(400);
    assertThat(admin("POST", "/spaces", "[]").status()).isEqualTo(400);
    assertThat(admin("POST", "/spaces", "{").error()).isEqualTo("Malformed JSON body");
    assertThat(admin("POST", "/spaces", "").status()).isEqualTo(400);
    Response noType = api.post("/api/v1/spaces", api.adminKey(), "{\"name\":\"a\"}", Map.of());
    assertThat(noType.status()).isEqualTo(415);
  }

  @Test
  void aSpaceWithActiveJobsCannotBeDeletedUntilTheyAreFinished() {
    TestSpace space = api.newSpace();
    String job = api.createJob(space, "busy");
    Response refused = admin("DELETE", "/spaces/" + space.id(), null);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("Space has active jobs");

    new WorkerCalls(api, space).claimAndComplete("null", job);
    String dead = jobs.in(space.id()).status(JobStatus.DEAD).insert();
    String killed = jobs.in(space.id()).status(JobStatus.KILLED).insert();
    assertThat(admin("DELETE", "/spaces/" + space.id(), null).status()).isEqualTo(200);
    // the space's jobs in every terminal status, with their events (no foreign key cascades from
    // spaces to jobs on one PostgreSQL: Spaces.delete deletes them, V77)
    for (String table : List.of("jobs", "job_events", "job_counts")) {
      long left =
          jdbc.sql("SELECT count(*) FROM " + table + " WHERE space_id = :s")
              .param("s", space.id())
              .query(Long.class)
              .single();
      assertThat(left).as(table).isZero();
    }
    for (String id : List.of(job, dead, killed)) {
      assertThat(
              jdbc.sql("SELECT count(*) FROM jobs WHERE id = :id")
                  .param("id", id)
                  .query(Long.class)
                  .single())
          .isZero();
    }
    assertThat(api.get("/api/v1/jobs/" + job, space.key()).status()).isEqualTo(401);
  }

  @Test
  void aKeyIsShownOnceWithItsScopesExpanded() {
    TestSpace space = api.newSpace();
    Response r =
        admin(
            "POST",
            "/spaces/" + space.id() + "/keys",
            "{\"name\":\"worker\",\"scopes\":[\"jobs:worker\"]}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode key = r.json();
    assertThat(key.propertyNames()).containsExactly("id", "name", "scopes", "prefix", "key");
    List<String> worker =
        List.of(
            "jobs:ack",
            "jobs:progress",
            "jobs:event",
            "jobs:complete",
            "jobs:fail",
            "jobs:keepalive",
            "jobs:read",
            "jobs:poll");
    assertThat(strings(key.get("scopes"))).containsExactlyInAnyOrderElementsOf(worker);
    assertThat(key.get("key").asString())
        .startsWith(key.get("prefix").asString())
        .startsWith("emit_")
        .hasSize(45);

    List<String> stored =
        jdbc.sql("SELECT unnest(scopes) FROM api_keys WHERE id = :id")
            .param("id", key.get("id").asString())
            .query(String.class)
            .list();
    assertThat(stored).containsExactlyInAnyOrderElementsOf(worker);

    Response write =
        admin(
            "POST",
            "/spaces/" + space.id() + "/keys",
            "{\"name\":\"w\",\"scopes\":[\"jobs:write\",\"jobs:ack\"]}");
    assertThat(strings(write.json().get("scopes")))
        .containsExactlyInAnyOrder(
            "jobs:ack",
            "jobs:progress",
            "jobs:event",
            "jobs:complete",
            "jobs:fail",
            "jobs:keepalive");
  }

  @Test
  void keysAreListedWithoutSecretsAndRevokedAtOnce() {
    TestSpace space = api.newSpace();
    JsonNode issued =
        admin(
                "POST",
                "/spaces/" + space.id() + "/keys",
                "{\"name\":\"temp\",\"scopes\":[\"jobs:read\"]}")
            .json();
    String secret = issued.get("key").asString();

    Response listed = admin("GET", "/spaces/" + space.id() + "/keys", null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body()).doesNotContain(secret).doesNotContain(space.key());
    List<String> names = new ArrayList<>();
    listed
        .json()
        .forEach(
            k -> {
              names.add(k.get("name").asString());
              assertThat(k.has("key")).isFalse();
              assertThat(k.get("prefix").asString()).startsWith("emit_");
            });
    assertThat(names).contains("public progress key", "temp");

    assertThat(api.get("/api/v1/jobs/" + api.createJob(space, "x"), secret).status())
        .isEqualTo(200);
    Response revoked = admin("DELETE", "/keys/" + issued.get("id").asString(), null);
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.json().get("revokedAt").isNull()).isFalse();
    assertThat(api.get("/api/v1/jobs/" + api.createJob(space, "y"), secret).status())
        .isEqualTo(401);
    Response again = admin("DELETE", "/keys/" + issued.get("id").asString(), null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("revokedAt").asString())
        .isEqualTo(revoked.json().get("revokedAt").asString());
  }

  @Test
  void anUnknownScopeIsABadRequest() {
    TestSpace space = api.newSpace();
    Response r =
        admin(
            "POST",
            "/spaces/" + space.id() + "/keys",
            "{\"name\":\"k\",\"scopes\":[\"jobs:read\",\"jobs:fly\"]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("Unknown scope: jobs:fly");
    assertThat(
            admin("POST", "/spaces/" + space.id() + "/keys", "{\"name\":\"k\",\"scopes\":[]}")
                .status())
        .isEqualTo(400);
    assertThat(
            admin("POST", "/spaces/" + space.id() + "/keys", "{\"name\":\"k\",\"scopes\":[1]}")
                .status())
        .isEqualTo(400);
    assertThat(
            admin("POST", "/spaces/" + space.id() + "/keys", "{\"scopes\":[\"jobs:read\"]}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void theAdminScopeCannotBeGivenToASpaceKey() {
    TestSpace space = api.newSpace();
    Response r =
        admin("POST", "/spaces/" + space.id() + "/keys", "{\"name\":\"k\",\"scopes\":[\"admin\"]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("scopes cannot include admin for a key bound to a space");
  }
}
