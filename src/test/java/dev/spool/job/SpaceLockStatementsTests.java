package dev.spool.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The statements that insert jobs lock their spaces with {@code spool_lock_spaces} on one
 * PostgreSQL, where no foreign key from jobs to spaces does it (V77), and not on Citus, where the
 * foreign key is kept (db/citus/distribute.sql). The Citus variants are derived by text, so a
 * change of layout must not leave the lock in them silently.
 */
class SpaceLockStatementsTests {

  @Test
  void theInsertingStatementsLockTheirSpacesOnOnePostgresqlOnly() {
    assertThat(JobInserts.INSERT_BATCH).contains("spool_lock_spaces(").contains("spaces_locked");
    assertThat(JobRetries.RETRY).contains("spool_lock_spaces(").contains("spaces_locked");

    assertThat(JobInserts.INSERT_BATCH_CITUS).doesNotContain("spaces_locked");
    assertThat(JobRetries.RETRY_CITUS)
        .doesNotContain("spaces_locked")
        .contains("SELECT j.* FROM jobs j")
        .contains("INSERT INTO jobs");
  }

  @Test
  void theLockIsEvaluatedBeforeTheRowsAreRead() {
    // input (the create's rows) and old (the retried job) read from the lock's CTE, so PostgreSQL
    // evaluates it before it inserts anything
    assertThat(JobInserts.INSERT_BATCH)
        .containsPattern(
            "input AS \\(\\s+SELECT u\\.\\* FROM commit_mode, spaces_locked,\\s+json_to_recordset");
    assertThat(JobRetries.RETRY)
        .containsPattern("old AS \\(\\s+SELECT j\\.\\* FROM spaces_locked, jobs j");
  }
}
