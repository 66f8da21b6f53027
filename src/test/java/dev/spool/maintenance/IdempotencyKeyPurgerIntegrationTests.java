package dev.spool.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class IdempotencyKeyPurgerIntegrationTests extends IntegrationTest {

  @Autowired IdempotencyKeyPurger purger;

  @Test
  void keysPastTheReplayWindowArePurgedAndYoungerOnesKept() {
    TestSpace space = api.newSpace();
    insertKey(space, "expired", "25 hours");
    insertKey(space, "just-expired", "24 hours 1 second");
    insertKey(space, "replayable", "23 hours");

    while (purger.runOnce()) {
      // a full batch: other tests' expired keys may be waiting too
    }

    assertThat(keysOf(space)).containsExactly("replayable");
  }

  private void insertKey(TestSpace space, String key, String age) {
    jdbc.sql(
            "INSERT INTO idempotency_keys (space_id, key, request_hash, response, created_at)"
                + " VALUES (:space, :key, 'h', '{}', now() - CAST(:age AS interval))")
        .param("space", space.id())
        .param("key", key)
        .param("age", age)
        .update();
  }

  private List<String> keysOf(TestSpace space) {
    return jdbc.sql("SELECT key FROM idempotency_keys WHERE space_id = :space ORDER BY key")
        .param("space", space.id())
        .query(String.class)
        .list();
  }
}
