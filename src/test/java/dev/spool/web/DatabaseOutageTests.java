package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.orm.jpa.JpaSystemException;
import org.springframework.transaction.TransactionSystemException;

class DatabaseOutageTests {

  @Test
  void connectionFailuresAreRecognisedThroughAnyWrapping() {
    assertThat(DatabaseOutage.isOutage(new CannotGetJdbcConnectionException("no"))).isTrue();
    assertThat(
            DatabaseOutage.isOutage(
                new RuntimeException(new IllegalStateException(new ConnectException()))))
        .isTrue();
    assertThat(DatabaseOutage.isOutage(new RuntimeException(new SQLException("reset", "08006"))))
        .isTrue();
    assertThat(DatabaseOutage.isOutage(new SQLException("terminating connection", "57P01")))
        .isTrue();
  }

  @Test
  void aRollbackThatFailedOnADeadConnectionIsAnOutage() {
    // what Spring's JPA transaction manager throws when the rollback itself hits a dead connection
    RuntimeException unableToRollback =
        new JpaSystemException(
            new RuntimeException(
                "Unable to rollback against JDBC Connection",
                new SQLException("Connection is closed", (String) null)));
    assertThat(DatabaseOutage.isOutage(unableToRollback)).isTrue();

    TransactionSystemException overridden =
        new TransactionSystemException("Application exception overridden by rollback exception");
    overridden.initApplicationException(
        new RuntimeException(new SQLException("terminating connection", "57P01")));
    assertThat(DatabaseOutage.isOutage(overridden)).isTrue();
  }

  @Test
  void theDriversExceptionIsFoundAmongSuppressedExceptionsAndNextExceptions() {
    RuntimeException wrapper = new IllegalStateException("batch failed");
    wrapper.addSuppressed(new RuntimeException(new SQLException("I/O error", "08006")));
    assertThat(DatabaseOutage.isOutage(wrapper)).isTrue();

    SQLException batch = new SQLException("Batch entry 0 was aborted", "23505");
    batch.setNextException(new SQLException("An I/O error occurred", null, new SocketException()));
    assertThat(DatabaseOutage.isOutage(new RuntimeException(batch))).isTrue();
  }

  @Test
  void aClientThatHungUpIsNoDatabaseOutage() {
    // a reset socket counts only under an SQLException: the HTTP client's own is not the database
    assertThat(DatabaseOutage.isOutage(new RuntimeException(new SocketException("reset"))))
        .isFalse();
  }

  @Test
  void aCyclicCauseGraphEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.addSuppressed(b);
    assertThat(DatabaseOutage.isOutage(b)).isFalse();
  }

  @Test
  void ordinaryErrorsAreNotOutages() {
    assertThat(DatabaseOutage.isOutage(new IllegalStateException("bug"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new SQLException("duplicate", "23505"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new DataIntegrityViolationException("dup"))).isFalse();
  }
}
