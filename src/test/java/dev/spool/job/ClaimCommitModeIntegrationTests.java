package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.spool.common.Ids;
import dev.spool.database.SpaceRouting;
import dev.spool.support.IntegrationTest;
import dev.spool.support.TestApi.TestSpace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On one PostgreSQL a poll's claim is one autocommit statement that defers its own commit's flush
 * ({@link JobSql#COMMIT_MODE}, docs/engine.md "Poll and claim"): when it claims, the statement must
 * have switched {@code synchronous_commit} off for its transaction — or on, as configured, when
 * {@code :deferFlush} is false. Read inside a transaction that is rolled back afterwards.
 */
class ClaimCommitModeIntegrationTests extends IntegrationTest {

  @Autowired SpaceRouting routing;

  @ParameterizedTest
  @CsvSource({
    "false, false, true, off",
    "true, true, true, off",
    "false, true, false, on",
    "true, false, false, on"
  })
  void aClaimSetsItsOwnCommitMode(boolean named, boolean ack, boolean defer, String expected) {
    assumeFalse(routing.distributed(), "Citus defers the flush on the coordinator instead");
    TestSpace space = api.newSpace();
    jobs.in(space).insert(2);
    Map<String, Object> params = new HashMap<>();
    params.put("now", null);
    params.put("space", space.id());
    params.put("count", 1);
    params.put("names", "[\"job\"]");
    params.put("deliveries", "[\"" + Ids.next() + "\"]");
    params.put("deferFlush", defer);

    TransactionTemplate tx = new TransactionTemplate(transactionManager);
    List<String> seen =
        tx.execute(
            status -> {
              status.setRollbackOnly();
              List<String> claimed =
                  jdbc.sql(ClaimSql.claimAvailable(named, ack, true))
                      .params(params)
                      .query((rs, n) -> rs.getString("id"))
                      .list();
              String mode = jdbc.sql("SHOW synchronous_commit").query(String.class).single();
              return List.of(String.valueOf(claimed.size()), mode);
            });

    assertThat(seen).containsExactly("1", expected);
  }
}
