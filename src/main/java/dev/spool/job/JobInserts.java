package dev.spool.job;

import dev.spool.common.DbNow;
import dev.spool.common.Timestamps;
import dev.spool.database.DurableCommits;
import dev.spool.database.SpaceRouting;
import dev.spool.web.ApiException;
import dev.spool.web.JsonBodies;
import dev.spool.web.SpoolLimits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.core.JsonGenerator;

/**
 * The one statement that inserts jobs with their first event. Rows travel as one JSON document (no
 * round trip per job, no array binding) and carry their space, so one statement can insert the jobs
 * of several requests (see {@link CreateCombiner}).
 */
@Component
class JobInserts {

  /**
   * The head of {@link #INSERT_BATCH}, up to where {@code input} names its rows: {@link
   * JobSql#COMMIT_MODE} and the lock on the jobs' spaces ({@code spool_lock_spaces}, V77: what the
   * foreign key to {@code spaces} did, once per space; it fails the statement when a space is
   * gone), both joined into {@code input} so that they are evaluated before any row is inserted.
   */
  private static final String INPUT_AFTER_COMMIT_MODE =
      "WITH "
          + JobSql.COMMIT_MODE
          + ", "
          + JobSql.spacesLocked("string_to_array(CAST(:spaces AS text), ',')")
          + ", input AS (\n    SELECT u.* FROM commit_mode, spaces_locked, ";

  /**
   * A {@code scheduledFor} in the future makes the job scheduled (available at that time); a past
   * or absent one makes it pending, available now — decided by the database's clock.
   */
  static final String INSERT_BATCH =
      INPUT_AFTER_COMMIT_MODE
          + """
          json_to_recordset(CAST(:batch AS json)) AS u(
              id text, space_id text, name text, payload json, max_retries int,
              timeout_seconds int, backoff_seconds int, scheduled_for timestamptz,
              callback_url text, callback_headers json)
      ), inserted AS (
          INSERT INTO jobs (id, space_id, name, payload, status, max_retries, timeout_seconds,
                            backoff_seconds, available_at, scheduled_for, callback_url,
                            callback_headers)
          SELECT id, space_id, name, payload,
                 CASE WHEN scheduled_for > %1$s THEN 'scheduled' ELSE 'pending' END,
                 max_retries, timeout_seconds, backoff_seconds,
                 CASE WHEN scheduled_for > %1$s THEN scheduled_for ELSE %1$s END,
                 scheduled_for, callback_url, callback_headers
            FROM input ORDER BY id
          RETURNING id, space_id, status, scheduled_for
      ), %2$s
      SELECT count(*) FROM inserted, note
      """
              .formatted(
                  JobSql.NOW,
                  JobSql.appendEvents(
                      """
                          SELECT id, space_id,
                                 CASE WHEN status = 'scheduled' THEN 'scheduled' ELSE 'created' END,
                                 CASE WHEN status = 'scheduled'
                                      THEN json_build_object('scheduledFor', spool_ts(scheduled_for))
                                 END,
                                 0, NULL, status
                            FROM inserted ORDER BY id
                      """));

  /**
   * On Citus: {@link #INSERT_BATCH} without {@code commit_mode} (the caller defers the flush with a
   * statement of its own) and without the space lock (there the foreign key to {@code spaces} is
   * kept: the primary key {@code (space_id, id)} serves its cascade). The insert reads its rows
   * through {@code input}, and every CTE an {@code INSERT … SELECT} reads is a sub-plan that Citus
   * copies to every worker: with {@code commit_mode} in it, a create of one space wrote on both
   * workers.
   */
  static final String INSERT_BATCH_CITUS =
      "WITH input AS (\n    SELECT u.* FROM "
          + INSERT_BATCH.substring(INPUT_AFTER_COMMIT_MODE.length());

  private final JobStatements statements;
  private final SpaceRouting routing;
  private final JsonBodies bodies;
  private final DurableCommits durable;
  private final SpoolLimits limits;
  private final DbNow now;

  JobInserts(
      JobStatements statements,
      SpaceRouting routing,
      JsonBodies bodies,
      DurableCommits durable,
      SpoolLimits limits,
      DbNow now) {
    this.statements = statements;
    this.routing = routing;
    this.now = now;
    this.bodies = bodies;
    this.durable = durable;
    this.limits = limits;
  }

  /**
   * Runs {@link #INSERT_BATCH} for rows made by {@link #rows}; several requests' rows may be joined
   * with commas, {@code spaces} the ids of their spaces (comma-separated; a space id has no comma).
   * A space that does not exist fails the whole statement as a foreign key violation naming {@code
   * jobs_space_id_fkey}. The commit's flush is deferred when enabled: call {@link
   * DurableCommits#flush()} before answering. On Citus it runs through {@link JobStatements}, so
   * the jobs and their events are written on the workers of their spaces only.
   */
  void insert(String rows, String spaces) {
    if (!routing.distributed()) {
      statements.list(
          INSERT_BATCH,
          s ->
              now.bind(s)
                  .param("batch", "[" + rows + "]")
                  .param("spaces", spaces)
                  .param("deferFlush", durable.enabled()),
          (rs, n) -> rs.getLong(1));
      return;
    }
    durable.deferred(
        () ->
            statements.list(
                INSERT_BATCH_CITUS,
                s -> now.bind(s).param("batch", "[" + rows + "]"),
                (rs, n) -> rs.getLong(1)));
  }

  /**
   * The jobs as comma-separated JSON row objects, written in one streaming pass. Each payload's
   * serialized size is measured on the way: over the document limit is a 413 naming the job.
   */
  String rows(String spaceId, List<NewJob> jobs) {
    long limit = limits.document().toBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * jobs.size());
    try (JsonGenerator g = bodies.mapper().createGenerator(out)) {
      g.writeStartArray();
      for (int i = 0; i < jobs.size(); i++) {
        NewJob j = jobs.get(i);
        g.writeStartObject();
        g.writeStringProperty("id", j.id());
        g.writeStringProperty("space_id", spaceId);
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
    // without the array's brackets, so that rows of several requests can be joined
    return new String(out.toByteArray(), 1, out.size() - 2, StandardCharsets.UTF_8);
  }
}
