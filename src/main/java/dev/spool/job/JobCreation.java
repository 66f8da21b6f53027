package dev.spool.job;

import dev.spool.database.DurableCommits;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Creates jobs: the whole batch in one statement ({@link JobInserts}), together with one {@code
 * created} or {@code scheduled} event per job, durable before the answer; and the Idempotency-Key
 * extension.
 */
@Service
class JobCreation {

  static final String CLAIM_IDEMPOTENCY_KEY =
      """
      INSERT INTO idempotency_keys (space_id, key, request_hash, response)
      VALUES (:space, :key, :hash, CAST(:response AS json))
      ON CONFLICT (space_id, key) DO NOTHING
      """;

  /** A stored key younger than the replay window. */
  static final String FIND_IDEMPOTENCY_KEY =
      """
      SELECT request_hash, response::text AS response FROM idempotency_keys
       WHERE space_id = :space AND key = :key AND created_at > now() - interval '24 hours'
      """;

  static final String DELETE_EXPIRED_IDEMPOTENCY_KEY =
      """
      DELETE FROM idempotency_keys
       WHERE space_id = :space AND key = :key AND created_at <= now() - interval '24 hours'
      """;

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final JsonBodies bodies;
  private final DurableCommits durable;
  private final JobInserts inserts;
  private final CreateCombiner combiner;

  JobCreation(
      JdbcClient jdbc,
      TransactionTemplate tx,
      JsonBodies bodies,
      DurableCommits durable,
      JobInserts inserts,
      CreateCombiner combiner) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.bodies = bodies;
    this.durable = durable;
    this.inserts = inserts;
    this.combiner = combiner;
  }

  /** What a create answers: the refs, and whether they were replayed from an earlier request. */
  record Created(String responseJson, boolean replayed) {}

  /**
   * Writes the batch and returns once it is durable. Without an idempotency key the batch is one
   * statement in autocommit (atomic on its own), possibly shared with concurrent requests ({@link
   * CreateCombiner}); with one, the key and the batch share a transaction of their own.
   */
  Created create(
      String spaceId, JobRequestValidator.Batch batch, JsonNode body, Optional<String> idemKey) {
    String rows = inserts.rows(spaceId, batch.jobs());
    String response = responseJson(spaceId, batch);
    try {
      if (idemKey.isEmpty()) {
        combiner.insert(rows, spaceId, batch.jobs().size());
        return new Created(response, false);
      }
      Created created =
          tx.execute(
              status ->
                  claimKey(spaceId, idemKey.get(), body, response)
                      .orElseGet(
                          () -> {
                            inserts.insert(rows, spaceId);
                            return new Created(response, false);
                          }));
      durable.flush();
      return created;
    } catch (DataIntegrityViolationException e) {
      if (String.valueOf(e.getMessage()).contains("space_id_fkey")) {
        throw ApiException.notFound("Space");
      }
      throw e;
    }
  }

  /**
   * Takes the idempotency key for this request, or finds who took it. A concurrent request with the
   * same key waits on the insert until the first commits, then replays its answer.
   */
  private Optional<Created> claimKey(String spaceId, String key, JsonNode body, String response) {
    String hash = sha256(bodies.write(body));
    jdbc.sql(DELETE_EXPIRED_IDEMPOTENCY_KEY).param("space", spaceId).param("key", key).update();
    int inserted =
        jdbc.sql(CLAIM_IDEMPOTENCY_KEY)
            .param("space", spaceId)
            .param("key", key)
            .param("hash", hash)
            .param("response", response)
            .update();
    if (inserted == 1) {
      return Optional.empty();
    }
    record Stored(String requestHash, String response) {}
    Stored stored =
        jdbc.sql(FIND_IDEMPOTENCY_KEY)
            .param("space", spaceId)
            .param("key", key)
            .query((rs, n) -> new Stored(rs.getString("request_hash"), rs.getString("response")))
            .single();
    if (!stored.requestHash().equals(hash)) {
      throw ApiException.conflict(
          "idempotency_key_reused", "Idempotency-Key was already used with a different body");
    }
    return Optional.of(new Created(stored.response(), true));
  }

  /**
   * The refs in request order: one object for a single-object request, else an array. Written by
   * hand: ids are ULIDs (validated for the space), so nothing needs escaping.
   */
  private static String responseJson(String spaceId, JobRequestValidator.Batch batch) {
    StringBuilder b = new StringBuilder(64 * batch.jobs().size() + 2);
    if (!batch.single()) {
      b.append('[');
    }
    for (int i = 0; i < batch.jobs().size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"id\":\"").append(batch.jobs().get(i).id());
      b.append("\",\"spaceId\":\"").append(spaceId).append("\"}");
    }
    if (!batch.single()) {
      b.append(']');
    }
    return b.toString();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
