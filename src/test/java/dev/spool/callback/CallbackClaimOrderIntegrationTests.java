package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A claim that cannot take every due delivery shares what it takes equally among the spaces that
 * have some and hands them out round-robin — on one PostgreSQL (one statement) and on Citus (one
 * routed statement per space), which this class also runs against.
 *
 * <p>The claim runs in the test's own transaction, rolled back at the end: the deliveries it claims
 * were never committed, so the dispatchers of other test contexts never see them, and the due
 * deliveries other tests left behind are pushed a day out inside it, so only this test's spaces
 * compete.
 */
@TestPropertySource(properties = "spool.callbacks.enabled=false")
class CallbackClaimOrderIntegrationTests extends IntegrationTest {

  @Autowired CallbackOutbox outbox;

  @Test
  void aClaimTakesAnEqualShareOfEverySpaceAndHandsThemOutRoundRobin() {
    List<TestSpace> spaces = List.of(api.newSpace(), api.newSpace(), api.newSpace());
    List<String> ids = spaces.stream().map(TestSpace::id).toList();
    TransactionTemplate tx = new TransactionTemplate(transactionManager);
    tx.executeWithoutResult(
        status -> {
          status.setRollbackOnly();
          jdbc.sql(
                  "UPDATE callback_deliveries SET next_attempt_at = now() + interval '1 day'"
                      + " WHERE state = 'pending' AND NOT space_id = ANY (CAST(:mine AS text[]))")
              .param("mine", ids.toArray(new String[0]))
              .update();
          for (TestSpace space : spaces) {
            jobs.in(space)
                .name("report")
                .status(JobStatus.COMPLETED)
                .callback("http://127.0.0.1:9/never-sent")
                .insert(5);
          }

          List<CallbackOutbox.Delivery> claimed =
              outbox.claimDue(6, 4, "claim-order-test", Duration.ofMinutes(1));

          assertThat(claimed).hasSize(6);
          Map<String, Long> perSpace =
              claimed.stream()
                  .collect(
                      Collectors.groupingBy(
                          CallbackOutbox.Delivery::spaceId, Collectors.counting()));
          assertThat(perSpace).containsOnlyKeys(ids).containsValues(2L).hasSize(3);
          assertThat(perSpace.values()).containsOnly(2L);
          assertThat(
                  claimed.subList(0, 3).stream()
                      .map(CallbackOutbox.Delivery::spaceId)
                      .collect(Collectors.toSet()))
              .as("the first three: one of every space")
              .hasSize(3);
          assertThat(
                  claimed.subList(3, 6).stream()
                      .collect(
                          Collectors.toMap(
                              CallbackOutbox.Delivery::spaceId, Function.identity(), (a, b) -> a)))
              .as("then a second of every space")
              .hasSize(3);
        });
  }
}
