package dev.slipway.work.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.work.db.DatabaseErrors.Kind;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One classification of what PostgreSQL (or the way to it) answered, by SQLSTATE and type. */
class DatabaseErrorsTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "08006, UNAVAILABLE", // connection failure
    "08001, UNAVAILABLE", // cannot establish a connection
    "57P01, UNAVAILABLE", // admin shutdown
    "57P03, UNAVAILABLE", // cannot connect now (starting up)
    "53300, UNAVAILABLE", // too many connections
    "40001, UNAVAILABLE", // serialization failure: retrying succeeds
    "40P01, UNAVAILABLE", // deadlock
    "22P05, REFUSED", // NUL in text
    "22003, REFUSED", // numeric value out of range
    "23502, REFUSED", // not-null violation
    "23505, REFUSED", // unique violation
    "42P01, OTHER", // undefined table: a bug
    "42601, OTHER" // syntax error: a bug
  })
  void aSqlStateMeansOneThing(String state, Kind kind) {
    PgException failure = new PgException("failed", "ERROR", state, null);

    assertThat(DatabaseErrors.classify(failure)).isEqualTo(kind);
    assertThat(DatabaseErrors.classify(new CompletionException(new RuntimeException(failure))))
        .as("found through wrappers")
        .isEqualTo(kind);
    assertThat(DatabaseErrors.classify(new SQLException("failed", state)))
        .as("the same from JDBC")
        .isEqualTo(kind);
  }

  @Test
  void aDatabaseThatCannotBeReachedIsUnavailable() {
    assertThat(DatabaseErrors.isUnavailable(new ConnectException("Connection refused"))).isTrue();
    assertThat(DatabaseErrors.isUnavailable(ClosedConnectionException.INSTANCE)).isTrue();
    assertThat(DatabaseErrors.isUnavailable(new IllegalStateException("a bug"))).isFalse();
  }

  @Test
  void aUniqueViolationIsToldApart() {
    assertThat(DatabaseErrors.isUniqueViolation(new PgException("dup", "ERROR", "23505", null)))
        .isTrue();
    assertThat(DatabaseErrors.isUniqueViolation(new PgException("nul", "ERROR", "22P05", null)))
        .isFalse();
  }
}
