package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every transition of §4.2/§5 through HTTP, and the 409s of the ones that are not allowed. */
class WorkerLifecycleIntegrationTests extends IntegrationTest {

  TestSpace space;
  WorkerCalls worker;

  @BeforeEach
  void space() {
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  String create(String json) {
    return api.createJobs(space, json).get(0);
  }

  JsonNode deliver(String jobId) {
    Response r = worker.claim(jobId);
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  @Test
  void aPollAnswersTheContractsDescriptorAndMarksTheJobDelivered() {
    String id =
        create(
            "{\"name\":\"resize\",\"payload\":{\"w\":640},\"maxRetries\":2,\"timeoutSeconds\":60}");

    JsonNode jobs = worker.pollJobs("{}");

    assertThat(jobs).hasSize(1);
    JsonNode d = jobs.get(0);
    assertThat(d.propertyNames())
        .containsExactly(
            "id",
            "name",
            "payload",
            "timeoutSeconds",
            "maxRetries",
            "attemptNumber",
            "createdAt",
            "deliveryId");
    assertThat(d.get("id").asString()).isEqualTo(id);
    assertThat(d.get("payload").get("w").asInt()).isEqualTo(640);
    assertThat(d.get("timeoutSeconds").asInt()).isEqualTo(60);
    assertThat(d.get("maxRetries").asInt()).isEqualTo(2);
    assertThat(d.get("attemptNumber").asInt()).isZero();
    assertThat(d.get("deliveryId").asString()).hasSize(26);
    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("delivered");
    assertThat(job.get("deliveredAt").isNull()).isFalse();
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered");
    assertThat(worker.job(id).get("events").get(1).get("data").get("deliveryId").asString())
        .isEqualTo(d.get("deliveryId").asString());
    Long deadlineInSeconds =
        jdbc.sql(
                "SELECT round(extract(epoch FROM deadline_at - delivered_at))::bigint FROM jobs WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single();
    assertThat(deadlineInSeconds).isEqualTo(60);
  }

  @Test
  void aPollTakesUpToCountJobsOldestFirstAndAnEmptyQueueAnswersAnEmptyList() {
    List<String> ids =
        api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]");

    JsonNode first = worker.pollJobs("{\"count\":2}");
    JsonNode second = worker.pollJobs("{\"count\":2}");
    Response third = worker.poll("{\"count\":50}");

    assertThat(first).hasSize(2);
    assertThat(first.get(0).get("id").asString()).isEqualTo(ids.get(0));
    assertThat(first.get(1).get("id").asString()).isEqualTo(ids.get(1));
    assertThat(second).hasSize(1);
    assertThat(second.get(0).get("id").asString()).isEqualTo(ids.get(2));
    assertThat(third.status()).isEqualTo(200);
    assertThat(third.body()).isEqualTo("{\"jobs\":[]}");
  }

  @Test
  void aPollAcceptsAnEmptyBodyWithOrWithoutContentType() {
    create("{\"name\":\"a\"}");
    create("{\"name\":\"b\"}");
    String path = "/api/v1/spaces/" + space.id() + "/jobs/poll";

    Response bare = api.post(path, space.key(), null, Map.of());
    Response typed = api.post(path, space.key(), "", Map.of("Content-Type", "application/json"));

    assertThat(bare.status()).isEqualTo(200);
    assertThat(bare.json().get("jobs")).hasSize(1);
    assertThat(typed.status()).isEqualTo(200);
    assertThat(typed.json().get("jobs")).hasSize(1);
  }

  @Test
  void aPollOutsideItsLimitsIsABadRequest() {
    assertThat(worker.poll("{\"count\":0}").status()).isEqualTo(400);
    assertThat(worker.poll("{\"count\":51}").error())
        .isEqualTo("count must be an integer between 1 and 50");
    assertThat(worker.poll("{\"count\":\"2\"}").status()).isEqualTo(400);
    assertThat(worker.poll("{\"count\":1.5}").status()).isEqualTo(400);
    assertThat(worker.poll("{\"waitSeconds\":21}").error())
        .isEqualTo("waitSeconds must be an integer between 0 and 20");
    assertThat(worker.poll("{\"types\":\"a\"}").status()).isEqualTo(400);
    assertThat(worker.poll("{\"name\":[1]}").status()).isEqualTo(400);
    assertThat(worker.poll("[]").status()).isEqualTo(400);
    assertThat(worker.poll("{").status()).isEqualTo(400);
  }

  @Test
  void theFilterSpellingsApplyInTheirOrderOfPrecedence() {
    String a = create("{\"name\":\"a\"}");
    String b = create("{\"name\":\"b\"}");
    String c = create("{\"name\":\"c\"}");
    String d = create("{\"name\":\"d\"}");

    JsonNode byTypes =
        worker.pollJobs(
            "{\"count\":5,\"name\":\"a\",\"names\":[\"b\"],\"type\":\"c\",\"types\":[\"d\"]}");
    JsonNode byType =
        worker.pollJobs("{\"count\":5,\"name\":\"a\",\"names\":[\"b\"],\"type\":[\"c\"]}");
    JsonNode byNames =
        worker.pollJobs("{\"count\":5,\"name\":\"a\",\"names\":[\"b\"],\"types\":null}");
    JsonNode byName = worker.pollJobs("{\"count\":5,\"name\":\"a\",\"types\":[]}");

    assertThat(byTypes).hasSize(1);
    assertThat(byTypes.get(0).get("id").asString()).isEqualTo(d);
    assertThat(byType.get(0).get("id").asString()).isEqualTo(c);
    assertThat(byNames.get(0).get("id").asString()).isEqualTo(b);
    assertThat(byName.get(0).get("id").asString()).isEqualTo(a);
  }

  @Test
  void aPollNeedsThePollScopeAndItsOwnSpace() {
    TestSpace other = api.newSpace();
    String noPoll = api.newKey(space.id(), List.of("jobs:create"));

    Response missingScope = api.post("/api/v1/spaces/" + space.id() + "/jobs/poll", noPoll, "{}");
    Response wrongSpace =
        api.post("/api/v1/spaces/" + other.id() + "/jobs/poll", space.key(), "{}");
    Response unknownSpace =
        api.post("/api/v1/spaces/01ARZ3NDEKTSV4RRFFQ69G5FAV/jobs/poll", api.adminKey(), "{}");

    assertThat(missingScope.status()).isEqualTo(403);
    assertThat(missingScope.error()).isEqualTo("Missing required scope: jobs:poll");
    assertThat(wrongSpace.status()).isEqualTo(403);
    assertThat(unknownSpace.status()).isEqualTo(404);
  }

  @Test
  void claimTakesOnePendingJobAndThenAnswers409() {
    String id = create("{\"name\":\"push\"}");

    JsonNode d = deliver(id);
    Response again = worker.claim(id);

    assertThat(d.get("id").asString()).isEqualTo(id);
    assertThat(d.get("deliveryId").asString()).hasSize(26);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("Job is not pending (status: delivered)");
    assertThat(worker.claim("01ARZ3NDEKTSV4RRFFQ69G5FAV").status()).isEqualTo(404);
  }

  @Test
  void ackStartsTheJobOnceAndAckingTwiceIsAConflict() {
    String id = create("{\"name\":\"x\",\"timeoutSeconds\":30}");
    String delivery = deliver(id).get("deliveryId").asString();

    Response ack = worker.ack(id, delivery);
    Response twice = worker.ack(id, delivery);

    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().get("status").asString()).isEqualTo("running");
    assertThat(ack.json().get("startedAt").isNull()).isFalse();
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.error()).isEqualTo("Job is not delivered (status: running)");
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked");
  }

  @Test
  void ackOfAPendingJobIsAConflict() {
    String id = create("{\"name\":\"x\"}");
    Response r = worker.ack(id, null);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).isEqualTo("Job is not delivered (status: pending)");
  }

  @Test
  void completeStoresTheResultAndEndsTheJob() {
    String id = create("{\"name\":\"x\"}");
    String delivery = deliver(id).get("deliveryId").asString();
    worker.ack(id, delivery);

    Response r = worker.complete(id, "{\"result\":{\"url\":\"s3://out\"}}", delivery);

    assertThat(r.status()).isEqualTo(200);
    JsonNode job = r.json();
    assertThat(job.get("status").asString()).isEqualTo("completed");
    assertThat(job.get("result").get("url").asString()).isEqualTo("s3://out");
    assertThat(job.get("completedAt").isNull()).isFalse();
    assertThat(worker.eventTypes(id)).containsExactly("created", "delivered", "acked", "completed");
    assertThat(worker.complete(id, null, null).error()).isEqualTo("Job is completed");
  }

  @Test
  void completingADeliveredJobIsAnImplicitAck() {
    String id = create("{\"name\":\"x\"}");
    deliver(id);

    Response r = worker.complete(id, null, null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("completed");
    assertThat(r.json().get("startedAt").isNull()).isFalse();
    assertThat(r.json().get("result").isNull()).isTrue();
  }

  @Test
  void completeAfterKillIsAConflict() {
    String id = create("{\"name\":\"x\"}");
    String delivery = deliver(id).get("deliveryId").asString();
    worker.ack(id, delivery);
    assertThat(worker.kill(id, "{\"reason\":\"operator\"}").status()).isEqualTo(200);

    Response r = worker.complete(id, "{\"result\":1}", delivery);

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).isEqualTo("Job is killed");
    JsonNode job = worker.job(id);
    assertThat(job.get("status").asString()).isEqualTo("killed");
    assertThat(job.get("result").get("reason").asString()).isEqualTo("operator");
  }

  @Test
  void aStaleDeliveryIdIsRefusedAndChangesNothing() {
    String id = create("{\"name\":\"x\"}");
    String delivery = deliver(id).get("deliveryId").asString();
    worker.ack(id, delivery);
    String before = worker.job(id).toString();

    Response complete = worker.complete(id, "{\"result\":1}", "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    Response fail = worker.fail(id, "{\"error\":\"x\"}", "01ARZ3NDEKTSV4RRFFQ69G5FAV");

    assertThat(complete.status()).isEqualTo(409);
    assertThat(complete.error())
        .isEqualTo("Delivery 01ARZ3NDEKTSV4RRFFQ69G5FAV is no longer current for this job");
    assertThat(fail.status()).isEqualTo(409);
    assertThat(worker.job(id).toString()).isEqualTo(before);
    assertThat(worker.complete(id, null, delivery).status()).isEqualTo(200);
  }

  @Test
  void aResultOverTheDocumentLimitIs413() {
    String id = create("{\"name\":\"x\"}");
    deliver(id);
    String big = "{\"result\":\"" + "a".repeat(1024 * 1024 + 1) + "\"}";

    Response r = worker.complete(id, big, null);

    assertThat(r.status()).isEqualTo(413);
    assertThat(worker.status(id)).isEqualTo("delivered");
  }

  @Test
  void theDocumentLimitCountsUtf8BytesNotCharacters() {
    String id = create("{\"name\":\"x\"}");
    deliver(id);
    // 530,000 characters of two bytes each: under the limit in characters, over it in bytes (and
    // the body still under the worker-call body limit of the document + 64 KiB)
    String wide = "{\"result\":\"" + "\u00e9".repeat(530_000) + "\"}";

    Response r = worker.complete(id, wide, null);

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).isEqualTo("result is larger than 1048576 bytes");
    assertThat(worker.status(id)).isEqualTo("delivered");
    String fits = "{\"result\":\"" + "\u00e9".repeat(400_000) + "\"}";
    assertThat(worker.complete(id, fits, null).status()).isEqualTo(200);
  }

  @Test
  void failWithAttemptsLeftRetriesAtOnceAndKeepsTheError() {
    String id = create("{\"name\":\"x\",\"maxRetries\":1}");
    String first = deliver(id).get("deliveryId").asString();
    worker.ack(id, first);

    Response r = worker.fail(id, "{\"error\":\"boom\"}", first);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("pending");
    assertThat(r.json().get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(r.json().get("lastError").asString()).isEqualTo("boom");
    assertThat(r.json().get("completedAt").isNull()).isTrue();
    JsonNode retried = worker.job(id).get("events").get(3);
    assertThat(retried.get("type").asString()).isEqualTo("retried");
    assertThat(retried.get("attemptNumber").asInt()).isZero();
    assertThat(retried.get("data").get("error").asString()).isEqualTo("boom");
    assertThat(retried.get("data").get("nextAttemptNumber").asInt()).isEqualTo(1);
    assertThat(retried.get("data").get("retryAt").asString()).isNotEmpty();

    JsonNode again = worker.pollJobs("{}");
    assertThat(again.get(0).get("attemptNumber").asInt()).isEqualTo(1);
    String second = again.get(0).get("deliveryId").asString();
    assertThat(worker.ack(id, first).status()).isEqualTo(409);
    Response dead = worker.fail(id, "{\"error\":{\"message\":\"still\",\"code\":7}}", second);

    assertThat(dead.json().get("status").asString()).isEqualTo("dead");
    assertThat(dead.json().get("attemptNumber").asInt()).isEqualTo(1);
    assertThat(dead.json().get("lastError").asString()).isEqualTo("still");
    assertThat(dead.json().get("result").get("error").get("code").asInt()).isEqualTo(7);
    assertThat(dead.json().get("completedAt").isNull()).isFalse();
    assertThat(worker.eventTypes(id)).endsWith("delivered", "dead");
    assertThat(worker.fail(id, null, null).error()).isEqualTo("Job is dead");
  }

  @Test
  void maxRetriesZeroMeansOneAttempt() {
    String id = create("{\"name\":\"x\",\"maxRetries\":0}");
    deliver(id);

    Response r = worker.fail(id, null, null);

    assertThat(r.json().get("status").asString()).isEqualTo("dead");
    assertThat(r.json().get("lastError").asString()).isEqualTo(WorkerController.DEFAULT_ERROR);
    assertThat(r.json().get("result").get("error").asString())
        .isEqualTo(WorkerController.DEFAULT_ERROR);
  }

  @Test
  void retryFalseSkipsTheRemainingAttempts() {
    String id = create("{\"name\":\"x\",\"maxRetries\":5}");
    deliver(id);

    Response r = worker.fail(id, "{\"error\":\"fatal\",\"retry\":false}", null);

    assertThat(r.json().get("status").asString()).isEqualTo("dead");
    assertThat(r.json().get("attemptNumber").asInt()).isZero();
    assertThat(worker.fail(id, null, null).error()).isEqualTo("Job is dead");
  }

  @Test
  void badFailAndKillBodiesAreBadRequests() {
    String id = create("{\"name\":\"x\"}");
    deliver(id);
    assertThat(worker.fail(id, "{\"error\":42}", null).status()).isEqualTo(400);
    assertThat(worker.fail(id, "{\"retry\":\"no\"}", null).status()).isEqualTo(400);
    assertThat(worker.kill(id, "{\"reason\":[1]}").status()).isEqualTo(400);
    assertThat(worker.status(id)).isEqualTo("delivered");
  }

  @Test
  void aFailedAttemptWithBackoffWaitsScheduledUntilItsRetryTime() {
    String id = create("{\"name\":\"x\",\"backoffSeconds\":60}");
    deliver(id);

    Response r = worker.fail(id, "{\"error\":\"later\"}", null);

    assertThat(r.json().get("status").asString()).isEqualTo("scheduled");
    assertThat(worker.pollJobs("{}")).isEmpty();
    Double waits =
        jdbc.sql(
                "SELECT extract(epoch FROM available_at - updated_at)::float8 FROM jobs WHERE id = :id")
            .param("id", id)
            .query(Double.class)
            .single();
    assertThat(waits).isBetween(54.0, 66.0);
    jdbc.sql("UPDATE jobs SET available_at = now() WHERE id = :id").param("id", id).update();
    // a waiting poll: the promoter may hold the now-due row for a moment, and a claim skips a
    // locked row (SKIP LOCKED); the promotion's notification wakes the poll
    assertThat(worker.pollJobs("{\"waitSeconds\":5}").get(0).get("attemptNumber").asInt())
        .isEqualTo(1);
  }

  @Test
  void killWorksFromEveryActiveStateAndIsFinal() {
    String scheduled = create("{\"name\":\"k\",\"scheduledFor\":\"2999-01-01T00:00:00Z\"}");
    String pending = create("{\"name\":\"k\"}");
    String delivered = create("{\"name\":\"k\"}");
    String running = create("{\"name\":\"k\"}");
    deliver(delivered);
    worker.ack(running, deliver(running).get("deliveryId").asString());

    for (String id : List.of(scheduled, pending, delivered, running)) {
      Response r = worker.kill(id, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("status").asString()).isEqualTo("killed");
      assertThat(r.json().get("result").get("reason").asString()).isEqualTo("killed");
      assertThat(r.json().get("completedAt").isNull()).isFalse();
      Response twice = worker.kill(id, "{\"reason\":\"again\"}");
      assertThat(twice.status()).isEqualTo(409);
      assertThat(twice.error()).isEqualTo("Job is killed");
    }
    assertThat(worker.eventTypes(pending)).containsExactly("created", "killed");
  }

  @Test
  void aJobOfAnotherSpaceIsForbiddenAndUnchanged() {
    TestSpace other = api.newSpace();
    String id = create("{\"name\":\"x\"}");
    WorkerCalls stranger = new WorkerCalls(api, other);

    assertThat(stranger.claim(id).status()).isEqualTo(403);
    assertThat(stranger.kill(id, null).status()).isEqualTo(403);
    assertThat(worker.status(id)).isEqualTo("pending");
  }

  @Test
  void theSqlBackoffAgreesWithItsSpecification() {
    for (int n : new int[] {1, 7, 60, 3600}) {
      for (int k = 0; k <= 25; k += 3) {
        for (double jitter : new double[] {0.9, 1.0, 1.1}) {
          Double sql =
              jdbc.sql("SELECT extract(epoch FROM spool_retry_delay(:n, :k, :j))::float8")
                  .param("n", n)
                  .param("k", k)
                  .param("j", jitter)
                  .query(Double.class)
                  .single();
          double java = Backoff.delay(n, k, jitter).toNanos() / 1e9;
          assertThat(sql).isCloseTo(java, org.assertj.core.data.Offset.offset(0.001));
        }
      }
    }
  }
}
