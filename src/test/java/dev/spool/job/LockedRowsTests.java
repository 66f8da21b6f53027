package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.database.DistributedProperties;
import dev.spool.database.SpaceRouting;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The change step's condition on the rows a statement locked ({@link JobSql#lockedRows}): by TID,
 * also as an array, on one PostgreSQL; by space and id on Citus ({@link JobSql#routed}).
 */
class LockedRowsTests {

  static final List<String> STATEMENTS =
      List.of(
          ClaimSql.claimAvailable(false, false, false),
          ClaimSql.claimAvailable(true, true, true),
          TransitionSql.FAIL_IF_IN_FLIGHT,
          TransitionSql.FAIL_MANY,
          MaintenanceSql.PROMOTE_DUE,
          MaintenanceSql.RETURN_UNACKED,
          MaintenanceSql.FAIL_EXPIRED_RUNNING,
          MaintenanceSql.DELETE_EXPIRED);

  @Test
  void onePostgresqlFindsTheLockedRowsByTidAndTheirArray() {
    assertThat(JobSql.lockedRows("numbered", "n", ":space"))
        .startsWith("j.ctid = ANY (ARRAY(SELECT ctid FROM numbered)) AND j.ctid = n.ctid");
    SpaceRouting plain =
        new SpaceRouting(null, new DistributedProperties(DistributedProperties.Mode.NONE));
    STATEMENTS.forEach(sql -> assertThat(JobSql.routed(sql, plain)).isSameAs(sql));
  }

  @Test
  void citusFindsThemBySpaceAndIdWithNoTidLeft() {
    SpaceRouting citus =
        new SpaceRouting(null, new DistributedProperties(DistributedProperties.Mode.CITUS));
    for (String sql : STATEMENTS) {
      String routed = JobSql.routed(sql, citus);
      assertThat(routed).contains("j.space_id = :space AND j.id = ");
      assertThat(routed.replace("SELECT ctid,", "").replace("SELECT j.ctid,", ""))
          .as(routed)
          .doesNotContain("j.ctid");
    }
  }
}
