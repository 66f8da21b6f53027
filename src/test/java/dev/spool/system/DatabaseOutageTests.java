package dev.spool.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

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
  void ordinaryErrorsAreNotOutages() {
    assertThat(DatabaseOutage.isOutage(new IllegalStateException("bug"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new SQLException("duplicate", "23505"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new DataIntegrityViolationException("dup"))).isFalse();
  }
}
