package dev.spool.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A notification that arrives before its transaction's events can be read: what a two-phase commit
 * on Citus does (the coordinator commits and notifies, then the workers run {@code COMMIT
 * PREPARED}). Here the same order is made on one database: the test notifies for an open
 * transaction, and commits it a moment later.
 */
class LateVisibilityIntegrationTests extends IntegrationTest {

  @Autowired DataSource dataSource;

  TestApi.TestSpace space;

  @BeforeEach
  void setUp() {
    space = api.newSpace();
  }

  WsClient stream(TestApi.TestSpace s) throws Exception {
    WsClient ws =
        WsClient.open(
            "ws://127.0.0.1:" + port + "/api/v1/realtime/spaces/" + s.id() + "?token=" + s.key(),
            Map.of());
    assertThat(ws.next().get("type").asString()).isEqualTo("connected");
    return ws;
  }

  /** Appends a custom event to the job in an open transaction; returns its transaction id. */
  static long appendEvent(Connection tx, String jobId, String spaceId, String type)
      throws Exception {
    try (PreparedStatement st =
        tx.prepareStatement(
            "INSERT INTO job_events (job_id, space_id, type, data, attempt_number)"
                + " VALUES (?, ?, ?, '{}', 0) RETURNING tx")) {
      st.setString(1, jobId);
      st.setString(2, spaceId);
      st.setString(3, type);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  void notifyEvents(long tx, String spaceId) {
    notifyPayload(tx + ":" + spaceId);
  }

  void notifyPayload(String payload) {
    jdbc.sql("SELECT pg_notify('spool_events', :payload)")
        .param("payload", payload)
        .query()
        .singleRow();
  }

  @Test
  void eventsNotifiedBeforeTheyAreReadableAreStreamedOnceTheyAreAndInCommitOrder()
      throws Exception {
    String job = api.createJob(space, "job");
    WsClient ws = stream(space);

    String later;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      long id = appendEvent(tx, job, space.id(), "step");
      notifyEvents(id, space.id());
      // committed (and notified) after the held transaction's notification: must come after it
      later = api.createJob(space, "later");
      Thread.sleep(300); // the feed fetches the held transaction in vain a few times
      tx.commit();
    }

    List<JsonNode> frames = ws.next(2);
    assertThat(frames)
        .extracting(f -> f.get("type").asString() + " " + f.get("jobId").asString())
        .containsExactly("step " + job, "created " + later);
    assertThat(frames.get(1).get("seq").asLong()).isEqualTo(frames.get(0).get("seq").asLong() + 1);
    ws.close();
  }

  @Test
  void aSpaceWaitingForItsEventsDoesNotHoldUpAnotherAndRestartsWhenTheyNeverCome()
      throws Exception {
    TestApi.TestSpace other = api.newSpace();
    String job = api.createJob(space, "job");
    WsClient waiting = stream(space);
    WsClient going = stream(other);

    long rolledBack;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      rolledBack = appendEvent(tx, job, space.id(), "step");
      tx.rollback();
    }
    notifyEvents(rolledBack, space.id());
    String elsewhere = api.createJob(other, "elsewhere");

    // the other space streams on while this one waits for events that will never be readable
    JsonNode frame = going.next();
    assertThat(frame.get("jobId").asString()).isEqualTo(elsewhere);
    // after spool.realtime.visibility-wait the waiting space's stream restarts: a gap is told
    assertThat(waiting.closeCode()).isEqualTo(1012);
    going.close();
  }

  @Test
  void onlyTheSpacesANotificationNamesAreWaitedFor() throws Exception {
    TestApi.TestSpace other = api.newSpace();
    WsClient ws = stream(space);
    WsClient watchingOther = stream(other);

    long rolledBack;
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      try (PreparedStatement st = tx.prepareStatement("SELECT txid_current()");
          ResultSet rs = st.executeQuery()) {
        rs.next();
        rolledBack = rs.getLong(1);
      }
      tx.rollback();
    }
    // the same transaction named another space, and once "every space": this space is in the
    // second only, so finding none of its events there is no reason to wait
    notifyPayload(rolledBack + ":" + other.id());
    notifyPayload(rolledBack + ":*");
    String next = api.createJob(space, "next");

    JsonNode frame = ws.next();
    assertThat(frame.get("type").asString() + " " + frame.get("jobId").asString())
        .isEqualTo("created " + next);
    ws.close();
    watchingOther.close();
  }
}
