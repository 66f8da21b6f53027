package dev.spool.job;

import dev.spool.system.ApiException;
import dev.spool.system.DurableCommits;
import dev.spool.system.JsonBodies;
import dev.spool.system.SpoolLimits;
import dev.spool.system.Timestamps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Creates jobs: the whole batch in one statement, in one transaction, together with one {@code
 * created} or {@code scheduled} event per job. Whether a job starts scheduled or pending is
 * decided with the database's clock.
 */
@Service
class JobCreation {

  /**
   * Inserts a batch handed over as one JSON document: no round trip per job, no array binding.
   * A {@code scheduledFor} in the future makes the job scheduled (available at that time); a past
   * or absent one makes it pending, available now. {@code commit_mode} lets the commit skip its
   * WAL flush when {@code :deferFlush} (see {@link DurableCommits}); it is joined into {@code
   * input} only so that it is evaluated.
   */
  static final String INSERT_BATCH =
      """
      WITH commit_mode AS MATERIALIZED (
          SELECT set_config('synchronous_commit',
                            CASE WHEN :deferFlush THEN 'off'
                                 ELSE current_setting('synchronous_commit') END, true)
      ), input AS (
          SELECT u.* FROM commit_mode, json_to_recordset(CAST(:batch AS json)) AS u(
              ord int, id text, name text, payload json, max_retries int, timeout_seconds int,
              backoff_seconds int, scheduled_for timestamptz, callback_url text,
              callback_headers json)
      ), inserted AS (
          INSERT INTO jobs (id, space_id, name, payload, status, max_retries, timeout_seconds,
                            backoff_seconds, available_at, scheduled_for, callback_url,
                            callback_headers)
          SELECT id, :space, name, payload,
                 CASE WHEN scheduled_for > now() THEN 'scheduled' ELSE 'pending' END,
                 max_retries, timeout_seconds, backoff_seconds,
                 CASE WHEN scheduled_for > now() THEN scheduled_for ELSE now() END,
                 scheduled_for, callback_url, callback_headers
            FROM input ORDER BY ord
          RETURNING id, status, scheduled_for
      )
      INSERT INTO job_events (job_id, space_id, type, data, attempt_number)
      SELECT id, :space, CASE status WHEN 'scheduled' THEN 'scheduled' ELSE 'created' END,
             CASE status WHEN 'scheduled'
                  THEN json_build_object('scheduledFor', spool_ts(scheduled_for)) END,
             0
        FROM inserted ORDER BY id
      """;

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
  private final SpoolLimits limits;

  JobCreation(
      JdbcClient jdbc,
      TransactionTemplate tx,
      JsonBodies bodies,
      DurableCommits durable,
      SpoolLimits limits) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.bodies = bodies;
    this.durable = durable;
    this.limits = limits;
  }

  /** What a create answers: the refs, and whether they were replayed from an earlier request. */
  record Created(String responseJson, boolean replayed) {}

  /**
   * Writes the batch and returns once it is durable. Without an idempotency key the batch is one
   * statement in autocommit (atomic on its own); with one, the key and the batch share a
   * transaction.
   */
  Created create(
      String spaceId, JobRequestValidator.Batch batch, JsonNode body, Optional<String> idemKey) {
    String response = responseJson(spaceId, batch);
    Created created;
    try {
      if (idemKey.isEmpty()) {
        insert(spaceId, batch.jobs());
        created = new Created(response, false);
      } else {
        created =
            tx.execute(
                status ->
                    claimKey(spaceId, idemKey.get(), body, response)
                        .orElseGet(
                            () -> {
                              insert(spaceId, batch.jobs());
                              return new Created(response, false);
                            }));
      }
    } catch (DataIntegrityViolationException e) {
      if (String.valueOf(e.getMessage()).contains("space_id_fkey")) {
        throw ApiException.notFound("Space");
      }
      throw e;
    }
    durable.flush();
    return created;
  }

  private void insert(String spaceId, List<NewJob> jobs) {
    jdbc.sql(INSERT_BATCH)
        .param("batch", batchJson(jobs))
        .param("space", spaceId)
        .param("deferFlush", durable.enabled())
        .update();
  }

  /**
   * The batch as the one JSON document {@link #INSERT_BATCH} reads, written in a single streaming
   * pass (no intermediate maps). Each payload's serialized size is measured on the way: over the
   * document limit is a 413 naming the job.
   */
  private String batchJson(List<NewJob> jobs) {
    long limit = limits.document().toBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * jobs.size());
    try (JsonGenerator g = bodies.mapper().createGenerator(out)) {
      g.writeStartArray();
      for (int i = 0; i < jobs.size(); i++) {
        NewJob j = jobs.get(i);
        g.writeStartObject();
        g.writeNumberProperty("ord", i);
        g.writeStringProperty("id", j.id());
        g.writeStringProperty("name", j.name());
        if (j.payload() != null) {
          g.writeName("payload");
          g.flush();
          int before = out.size();
          g.writeTree(j.payload());
          g.flush();
          // the generator writes the name's ':' together with the value: one byte to discount
          if (out.size() - before - 1 > limit) {
            throw ApiException.tooLarge(
                "jobs[" + i + "].payload is larger than " + limit + " bytes");
          }
        }
        g.writeNumberProperty("max_retries", j.maxRetries());
        g.writeNumberProperty("timeout_seconds", j.timeoutSeconds());
        g.writeNumberProperty("backoff_seconds", j.backoffSeconds());
        if (j.scheduledFor() != null) {
          g.writeStringProperty("scheduled_for", Timestamps.format(j.scheduledFor()));
        }
        if (j.callbackUrl() != null) {
          g.writeStringProperty("callback_url", j.callbackUrl());
        }
        if (j.callbackHeaders() != null) {
          g.writeName("callback_headers");
          g.writeTree(j.callbackHeaders());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Takes the idempotency key for this request, or finds who took it. A concurrent request with
   * the same key waits on the insert until the first commits, then replays its answer.
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
