package dev.spool.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.database.PgNotifications.EventCount;
import org.junit.jupiter.api.Test;

/** The {@code spool_events} payload as its listeners read it (V78 of the schema writes it). */
class EventsPayloadTests {

  @Test
  void aCountedPayloadNamesItsTransactionSpacesAndCountsByPosition() {
    String payload = "812:S1,S2|40|0.completed=2,0.created=1,1.delivered=5";
    assertThat(PgNotifications.eventsTxid(payload)).isEqualTo(812);
    assertThat(PgNotifications.eventsSpaces(payload)).containsExactly("S1", "S2");
    assertThat(PgNotifications.eventsCounts(payload))
        .containsExactly(
            new EventCount("S1", "completed", 2),
            new EventCount("S1", "created", 1),
            new EventCount("S2", "delivered", 5));
  }

  @Test
  void countsOfNothingCountedAreEmptyNotUnknown() {
    assertThat(PgNotifications.eventsCounts("9:S1|3|")).isEmpty();
    assertThat(PgNotifications.eventsSpaces("9:S1|3|")).containsExactly("S1");
  }

  @Test
  void withoutCountsOnlyAReadOfTheTransactionTells() {
    assertThat(PgNotifications.eventsCounts("812:S1,S2")).isNull();
    assertThat(PgNotifications.eventsSpaces("812:S1,S2")).containsExactly("S1", "S2");
    assertThat(PgNotifications.eventsCounts("812:*")).isNull();
    assertThat(PgNotifications.eventsSpaces("812:*")).isNull();
    assertThat(PgNotifications.eventsCounts("812")).isNull();
    assertThat(PgNotifications.eventsCounts(null)).isNull();
  }

  @Test
  void aGarbledCountListCountsAsNoCounts() {
    for (String bad :
        new String[] {
          "1:S1|2|x.created=1",
          "1:S1|2|1.created=1",
          "1:S1|2|0.created",
          "1:S1|2|0created=1",
          "1:S1|2|0.created=many",
          "1:S1|2|-1.created=1"
        }) {
      assertThat(PgNotifications.eventsCounts(bad)).as(bad).isNull();
    }
  }
}
