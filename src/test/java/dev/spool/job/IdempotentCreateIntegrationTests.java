package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code Idempotency-Key} extension of docs/api.md §4.1. */
class IdempotentCreateIntegrationTests extends IntegrationTest {

  TestSpace space;

  @BeforeEach
  void space() {
    space = api.newSpace();
  }

  Response create(TestSpace in, String key, String body) {
    return api.post(
        "/api/v1/spaces/" + in.id() + "/jobs",
        in.key(),
        body,
        Map.of("Content-Type", "application/json", "Idempotency-Key", key));
  }

  long jobsInSpace(TestSpace in) {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
        .param("s", in.id())
        .query(Long.class)
        .single();
  }

  @Test
  void aRetriedRequestReturnsTheSameIdsAndCreatesNothing() {
    String body = CreateJobsIntegrationTests.SEED_ARRAY;
    Response first = create(space, "order-42", body);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();

    Response again = create(space, "order-42", body);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.json()).isEqualTo(first.json());
    assertThat(jobsInSpace(space)).isEqualTo(2);
  }

  @Test
  void aSingleObjectReplaysAsASingleRef() {
    Response first = create(space, "one", "{\"name\":\"a\"}");
    Response again = create(space, "one", "{ \"name\" : \"a\" }");
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().isObject()).isTrue();
    assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
  }

  @Test
  void theSameKeyWithADifferentBodyIsAConflict() {
    create(space, "k", "{\"name\":\"a\"}");
    Response r = create(space, "k", "{\"name\":\"b\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).isEqualTo("Idempotency-Key was already used with a different body");
    assertThat(jobsInSpace(space)).isEqualTo(1);
  }

  @Test
  void keysAreScopedToTheirSpace() {
    TestSpace other = api.newSpace();
    Response a = create(space, "shared", "{\"name\":\"a\"}");
    Response b = create(other, "shared", "{\"name\":\"a\"}");
    assertThat(b.status()).isEqualTo(201);
    assertThat(b.header("Idempotent-Replayed")).isNull();
    assertThat(b.json().get("id").asString()).isNotEqualTo(a.json().get("id").asString());
  }

  @Test
  void aRejectedRequestDoesNotUseUpTheKey() {
    Response bad = create(space, "retry-me", "{\"name\":\"a\",\"maxRetries\":99}");
    assertThat(bad.status()).isEqualTo(400);
    Response good = create(space, "retry-me", "{\"name\":\"a\"}");
    assertThat(good.status()).isEqualTo(201);
    assertThat(good.header("Idempotent-Replayed")).isNull();
  }

  @Test
  void aKeyOlderThanADayNoLongerReplays() {
    Response first = create(space, "old", "{\"name\":\"a\"}");
    jdbc.sql(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE space_id = :s")
        .param("s", space.id())
        .update();
    Response again = create(space, "old", "{\"name\":\"a\"}");
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isNull();
    assertThat(again.json().get("id").asString()).isNotEqualTo(first.json().get("id").asString());
  }

  @Test
  void aKeyLongerThan255CharactersIsABadRequest() {
    assertThat(create(space, "k".repeat(255), "{\"name\":\"a\"}").status()).isEqualTo(201);
    Response r = create(space, "k".repeat(256), "{\"name\":\"a\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("Idempotency-Key must be 1 to 255 characters");
  }

  @Test
  void concurrentRequestsWithOneKeyCreateOnce() throws Exception {
    String body = "[{\"name\":\"a\"},{\"name\":\"b\"}]";
    int clients = 8;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Response>> answers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return create(space, "race", body);
                }));
      }
      go.countDown();
      List<Response> responses = new ArrayList<>();
      for (Future<Response> f : answers) {
        responses.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
      assertThat(responses)
          .allSatisfy(r -> assertThat(r.json()).isEqualTo(responses.get(0).json()));
      assertThat(responses.stream().filter(r -> r.header("Idempotent-Replayed") == null))
          .hasSize(1);
      assertThat(jobsInSpace(space)).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
