package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.common.Ids;
import dev.spool.web.ApiException;
import org.junit.jupiter.api.Test;

class ListCursorTests {

  @Test
  void aCursorRoundTripsTheLastId() {
    String id = Ids.next();
    String cursor = ListCursor.encode(id);
    assertThat(cursor).doesNotContain(id).matches("[A-Za-z0-9_-]+");
    assertThat(ListCursor.decode(cursor)).isEqualTo(id);
  }

  @Test
  void garbledOrForgedCursorsAreRejected() {
    for (String bad :
        new String[] {
          "",
          "%%%",
          "abc",
          "ajE6",
          ListCursor.encode("nope"),
          "ajE6MDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVZa"
        }) {
      assertThatThrownBy(() -> ListCursor.decode(bad)).as(bad).isInstanceOf(ApiException.class);
    }
  }

  @Test
  void statusesAreParsedDeduplicatedAndChecked() {
    assertThat(JobListController.statuses("pending, running,,pending"))
        .containsExactly("pending", "running");
    assertThat(JobListController.statuses(null)).isEmpty();
    assertThatThrownBy(() -> JobListController.statuses("Pending"))
        .isInstanceOf(ApiException.class);
  }
}
