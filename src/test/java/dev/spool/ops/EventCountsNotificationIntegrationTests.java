package dev.spool.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spool.database.PgNotifications;
import dev.spool.database.PgNotifications.EventCount;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import dev.spool.support.WorkerCalls;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code spool_events} notification counts what its statement appended (V78), and the event
 * counters add those counts without reading the events back.
 */
class EventCountsNotificationIntegrationTests extends IntegrationTest {

  @Autowired DataSource dataSource;
  @Autowired MeterRegistry registry;

  @Test
  void eachWritingStatementAnnouncesItsEventsCountedBySpaceAndType() throws Exception {
    TestSpace space = api.newSpace();
    try (Listening l = new Listening()) {
      List<String> ids =
          api.createJobs(space, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]");
      WorkerCalls worker = new WorkerCalls(api, space);
      worker.claimAndComplete("null", ids.get(0));

      List<EventCount> seen = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                for (String p : l.payloads()) {
                  if (space.id().equals(first(PgNotifications.eventsSpaces(p)))) {
                    assertThat(PgNotifications.eventsTxid(p)).isPositive();
                    seen.addAll(PgNotifications.eventsCounts(p));
                  }
                }
                assertThat(seen)
                    .contains(
                        new EventCount(space.id(), "created", 3),
                        new EventCount(space.id(), "delivered", 1),
                        new EventCount(space.id(), "completed", 1));
              });
    }
  }

  @Test
  void twoStatementsOfOneTransactionWithTheSameEventsAreNotCollapsedIntoOne() throws Exception {
    try (Listening l = new Listening()) {
      new TransactionTemplate(transactionManager)
          .executeWithoutResult(
              tx -> {
                for (long first : new long[] {101, 102}) {
                  jdbc.sql("SELECT spool_notify_events(ARRAY['SPACE-T'], ARRAY['created'], :first)")
                      .param("first", first)
                      .query(Integer.class)
                      .single();
                }
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          l.payloads().stream()
                              .filter(p -> p.contains(":SPACE-T|"))
                              .map(p -> p.substring(p.indexOf(':')))
                              .toList())
                      .containsExactly(":SPACE-T|101|0.created=1", ":SPACE-T|102|0.created=1"));
    }
  }

  @Test
  void countsThatWouldNotFitAreLeftOutAndSoAreCustomTypesThatCouldBreakTheList() throws Exception {
    try (Listening l = new Listening()) {
      jdbc.sql("SELECT spool_notify_events(ARRAY['SPACE-W'], ARRAY['odd.type=1,2'], 7)")
          .query(Integer.class)
          .single();
      jdbc.sql(
              "SELECT spool_notify_events(array_fill('SPACE-L'::text, ARRAY[400]),"
                  + " CAST(:types AS text[]), 8)")
          .param("types", "{" + String.join(",", distinct(400)) + "}")
          .query(Integer.class)
          .single();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                List<String> got = l.payloads();
                assertThat(got).anyMatch(p -> p.endsWith(":SPACE-W|7|"));
                String long_ = got.stream().filter(p -> p.contains(":SPACE-L")).findFirst().get();
                assertThat(long_).endsWith(":SPACE-L");
                assertThat(PgNotifications.eventsCounts(long_)).isNull();
              });
    }
  }

  @Test
  void theCountersAddThePayloadsCountsWithoutReadingTheEventsBack() {
    TestSpace space = api.newSpace();
    // a transaction that appended no events at all: a read-back would count nothing
    jdbc.sql("SELECT pg_notify('spool_events', '1:' || :space || '|1|0.completed=7,0.progress=2')")
        .param("space", space.id())
        .query()
        .singleValue();
    await().atMost(Duration.ofSeconds(10)).until(() -> count(space.id(), "completed") == 7.0);
    assertThat(count(space.id(), "progress")).as("progress is not counted").isZero();
  }

  private double count(String space, String type) {
    Counter c =
        registry.find(JobEventMetrics.METER).tag("space", space).tag("type", type).counter();
    return c == null ? 0 : c.count();
  }

  private static List<String> distinct(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder("custom_");
      int k = i;
      do {
        b.append((char) ('a' + k % 26));
        k /= 26;
      } while (k > 0);
      out.add(b.append("_padding_to_make_the_list_long").toString());
    }
    return out;
  }

  private static String first(List<String> list) {
    return list == null || list.isEmpty() ? null : list.get(0);
  }

  /** A connection of the pool that listens on spool_events while the test runs. */
  private final class Listening implements AutoCloseable {
    private final Connection connection;
    private final List<String> payloads = new ArrayList<>();

    Listening() throws SQLException {
      connection = dataSource.getConnection();
      try (Statement s = connection.createStatement()) {
        s.execute("LISTEN " + PgNotifications.EVENTS);
      }
    }

    /** Every payload received so far. */
    List<String> payloads() throws SQLException {
      PGNotification[] got = connection.unwrap(PGConnection.class).getNotifications(200);
      if (got != null) {
        for (PGNotification n : got) {
          payloads.add(n.getParameter());
        }
      }
      return List.copyOf(payloads);
    }

    @Override
    public void close() throws SQLException {
      try (Statement s = connection.createStatement()) {
        s.execute("UNLISTEN *");
      } finally {
        connection.close();
      }
    }
  }
}
