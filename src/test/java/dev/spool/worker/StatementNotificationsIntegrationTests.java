package dev.spool.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.database.PgNotifications;
import dev.spool.job.JobStatus;
import dev.spool.maintenance.ScheduledJobPromoter;
import dev.spool.maintenance.TimeoutRescuer;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.TestDatabase;
import dev.spool.support.WorkerCalls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * No trigger notifies for the transitions: each writing statement sends {@code spool_events}
 * ({@code <txid>:<spaces>}) when it appends events and {@code spool_pending} (the space) when jobs
 * become pending. Every path that writes jobs or events is checked here through a LISTEN connection
 * of its own.
 */
class StatementNotificationsIntegrationTests extends IntegrationTest {

  @Autowired ScheduledJobPromoter promoter;
  @Autowired TimeoutRescuer rescuer;

  private Connection listener;
  private TestSpace space;
  private WorkerCalls worker;

  @BeforeEach
  void listen() throws Exception {
    TestDatabase db = TestDatabase.get();
    listener = DriverManager.getConnection(db.url, db.user, db.password);
    try (Statement s = listener.createStatement()) {
      s.execute("LISTEN spool_events");
      s.execute("LISTEN spool_pending");
    }
    space = api.newSpace();
    worker = new WorkerCalls(api, space);
  }

  @AfterEach
  void close() throws Exception {
    listener.close();
  }

  @Test
  void everyWritePathNotifiesItsSpaceAfterCommit() throws Exception {
    String a = api.createJob(space, "a");
    expect(true, true, "created");

    String delivery = worker.deliver(a);
    expect(true, false, "delivered");
    TestApi.require(worker.ack(a, delivery), 200);
    expect(true, false, "acked");
    TestApi.require(
        worker.action(a, "progress", "{\"percent\":5,\"message\":\"working\"}", delivery), 200);
    expect(true, false, "progress");
    TestApi.require(worker.fail(a, "{\"error\":\"again\"}", delivery), 200);
    expect(true, true, "retried"); // retried at once: pending again

    delivery = worker.deliver(a);
    expect(true, false, "delivered");
    TestApi.require(worker.complete(a, "{\"result\":1}", delivery), 200);
    expect(true, false, "completed");

    String b = api.createJob(space, "b");
    expect(true, true, "created");
    TestApi.require(worker.kill(b, null), 200);
    expect(true, false, "killed");

    api.createJobs(space, "[{\"name\":\"c\",\"scheduledFor\":\"2999-01-01T00:00:00Z\"}]");
    expect(true, false, "scheduled");

    // the promoter (scheduled -> pending) and the rescuer (delivered past deadline -> pending);
    // the jobs are due as they are inserted, so the maintenance loops may move them first
    Instant past = Instant.now().minusSeconds(1);
    jobs.in(space).status(JobStatus.SCHEDULED).availableAt(past).insert();
    promoter.runOnce();
    expect(true, true, "promoted");
    jobs.in(space).status(JobStatus.DELIVERED).deadlineAt(past).insert();
    rescuer.runOnce();
    expect(true, true, "delivery_timeout");
  }

  /**
   * The notifications of the last step: events for the space, counting events of the given types
   * (V78; the test factory's own inserts notify without counts), and pending for it or none.
   */
  private void expect(boolean events, boolean pending, String... types) throws Exception {
    List<PGNotification> got = new ArrayList<>();
    long until = System.nanoTime() + 5_000_000_000L;
    // wait for what is expected, then a little more for anything unexpected
    while (System.nanoTime() < until && !(has(got, events, pending))) {
      take(got, 100);
    }
    take(got, 50);
    List<String> ours =
        got.stream()
            .filter(
                n ->
                    n.getParameter().equals(space.id())
                        || n.getParameter().replaceFirst("\\|.*", "").endsWith(":" + space.id()))
            .map(
                n ->
                    n.getName()
                        + " "
                        + n.getParameter()
                            .replaceFirst("^\\d+:", "<tx>:")
                            .replaceFirst("\\|.*", ""))
            .distinct()
            .toList();
    List<String> counted =
        got.stream()
            .filter(n -> n.getName().equals(PgNotifications.EVENTS))
            .map(n -> PgNotifications.eventsCounts(n.getParameter()))
            .filter(c -> c != null)
            .flatMap(List::stream)
            .filter(c -> c.spaceId().equals(space.id()))
            .map(PgNotifications.EventCount::type)
            .distinct()
            .toList();
    assertThat(counted).as("the event types the step's statements counted").containsExactly(types);
    List<String> wanted = new ArrayList<>();
    if (events) {
      wanted.add("spool_events <tx>:" + space.id());
    }
    if (pending) {
      wanted.add("spool_pending " + space.id());
    }
    assertThat(ours).containsExactlyInAnyOrderElementsOf(wanted);
  }

  private boolean has(List<PGNotification> got, boolean events, boolean pending) {
    boolean e =
        got.stream()
            .anyMatch(n -> n.getParameter().replaceFirst("\\|.*", "").endsWith(":" + space.id()));
    boolean p = got.stream().anyMatch(n -> n.getParameter().equals(space.id()));
    return e == events && p == pending;
  }

  private void take(List<PGNotification> into, int millis) throws Exception {
    PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(millis);
    if (batch != null) {
      into.addAll(List.of(batch));
    }
  }
}
