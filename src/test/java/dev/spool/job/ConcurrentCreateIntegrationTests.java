package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.Response;
import dev.spool.support.TestApi.TestSpace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent creates, which {@link CreateCombiner} may write together: each request still gets
 * exactly its own jobs, and one request's failure is its own.
 */
class ConcurrentCreateIntegrationTests extends IntegrationTest {

  static final int CLIENTS = 16;

  List<Response> concurrently(List<Callable<Response>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Response>> futures = new ArrayList<>();
      for (Callable<Response> call : calls) {
        futures.add(pool.submit(call));
      }
      List<Response> responses = new ArrayList<>();
      for (Future<Response> f : futures) {
        responses.add(f.get(120, TimeUnit.SECONDS));
      }
      return responses;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentCreatesInSeveralSpacesEachWriteExactlyTheirOwnJobs() throws Exception {
    List<TestSpace> spaces = List.of(api.newSpace(), api.newSpace(), api.newSpace());
    List<Callable<Response>> calls = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      TestSpace space = spaces.get(i % spaces.size());
      String body =
          i % 4 == 0
              ? "[{\"name\":\"r" + i + "\"},{\"name\":\"r" + i + "\"}]"
              : "{\"name\":\"r" + i + "\"}";
      calls.add(() -> api.post("/api/v1/spaces/" + space.id() + "/jobs", space.key(), body));
    }
    List<Response> responses = concurrently(calls);

    Set<String> ids = new HashSet<>();
    for (int i = 0; i < responses.size(); i++) {
      Response r = responses.get(i);
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      List<String> own = new ArrayList<>();
      if (r.json().isArray()) {
        r.json().forEach(ref -> own.add(ref.get("id").asString()));
        assertThat(own).hasSize(2);
      } else {
        own.add(r.json().get("id").asString());
      }
      for (String id : own) {
        assertThat(ids.add(id)).isTrue();
        Response job = api.get("/api/v1/jobs/" + id, spaces.get(i % spaces.size()).key());
        assertThat(job.json().get("name").asString()).isEqualTo("r" + i);
        assertThat(job.json().get("events")).hasSize(1);
      }
    }
    long stored =
        jdbc.sql("SELECT count(*) FROM jobs WHERE space_id IN (:a, :b, :c)")
            .param("a", spaces.get(0).id())
            .param("b", spaces.get(1).id())
            .param("c", spaces.get(2).id())
            .query(Long.class)
            .single();
    assertThat(stored).isEqualTo(ids.size()).isEqualTo(300);
  }

  @Test
  void aRequestThatFailsInTheDatabaseFailsAloneAmongConcurrentOnes() throws Exception {
    TestSpace space = api.newSpace();
    String missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    List<Callable<Response>> calls = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      boolean bad = i % 10 == 5;
      String path = "/api/v1/spaces/" + (bad ? missing : space.id()) + "/jobs";
      calls.add(() -> api.post(path, bad ? api.adminKey() : space.key(), "{\"name\":\"c\"}"));
    }
    List<Response> responses = concurrently(calls);
    for (int i = 0; i < responses.size(); i++) {
      Response r = responses.get(i);
      assertThat(r.status()).as(r.body()).isEqualTo(i % 10 == 5 ? 404 : 201);
    }
    long stored =
        jdbc.sql("SELECT count(*) FROM jobs WHERE space_id = :s")
            .param("s", space.id())
            .query(Long.class)
            .single();
    assertThat(stored).isEqualTo(144);
  }
}
