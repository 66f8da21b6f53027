package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import dev.spool.common.Ids;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * A joint create insert whose connection dies right after its commit fails in the application
 * although its jobs exist; {@link CreateCombiner} then retries each request alone. The retry must
 * recognise its own jobs instead of answering 500 on their primary key.
 */
class LostCommitAnswerIntegrationTests extends IntegrationTest {

  @Autowired CreateCombiner combiner;
  @Autowired JobInserts inserts;

  @Test
  void aRetriedInsertWhoseJobsAlreadyCommittedSucceeds() {
    TestSpace space = api.newSpace();
    List<NewJob> jobs = List.of(job("lost-answer-1"), job("lost-answer-2"));
    String rows = inserts.rows(space.id(), jobs);
    inserts.insert(rows, space.id()); // the insert that committed while its answer was lost

    combiner.insert(rows, space.id(), jobs.size());

    for (NewJob j : jobs) {
      assertThat(api.get("/api/v1/jobs/" + j.id(), space.key()).status()).isEqualTo(200);
    }
    Long events =
        jdbc.sql("SELECT count(*) FROM job_events WHERE job_id IN (:a, :b)")
            .param("a", jobs.get(0).id())
            .param("b", jobs.get(1).id())
            .query(Long.class)
            .single();
    assertThat(events).as("each job still has exactly one created event").isEqualTo(2);
  }

  @Test
  void onlyTheJobsPrimaryKeyCountsAsAlreadyCommitted() {
    TestSpace space = api.newSpace();
    String rows = inserts.rows(space.id(), List.of(job("twice")));
    inserts.insert(rows, space.id());
    RuntimeException duplicate = catchRuntimeException(() -> inserts.insert(rows, space.id()));
    assertThat(CreateCombiner.alreadyCommitted(duplicate)).isTrue();

    String gone = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    String orphan = inserts.rows(gone, List.of(job("no-space")));
    RuntimeException missingSpace = catchRuntimeException(() -> inserts.insert(orphan, gone));
    assertThat(missingSpace)
        .as("a missing space fails the insert as the foreign key did, naming it")
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("jobs_space_id_fkey");
    assertThat(CreateCombiner.alreadyCommitted(missingSpace)).isFalse();
  }

  private static NewJob job(String name) {
    return new NewJob(Ids.next(), name, null, 3, 300, 0, null, null, null);
  }
}
