package dev.slipway.audit.repository;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AppendOnlyStoreTest {

  private static final String PERMISSION_DENIED = "42501";

  @Inject AuditEventRepository repository;

  @BeforeEach
  void someRowsExist() {
    repository
        .append(
            AuditTestData.records(
                "test.append-only",
                "append-only-" + UUID.randomUUID(),
                2,
                OffsetDateTime.now(ZoneOffset.UTC)))
        .await()
        .indefinitely();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "UPDATE audit_events SET application = 'mallory'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events"
      })
  void theServicesOwnRoleCannotChangeOrRemoveRows(String change) throws SQLException {
    try (Connection service = AuditTestData.serviceRole();
        Statement sql = service.createStatement()) {
      assertThatThrownBy(() -> sql.execute(change))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("permission denied")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo(PERMISSION_DENIED);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "UPDATE audit_events SET application = 'mallory'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events"
      })
  void evenTheOwnerIsStoppedByTheTriggers(String change) throws SQLException {
    try (Connection owner = AuditTestData.owner();
        Statement sql = owner.createStatement()) {
      assertThatThrownBy(() -> sql.execute(change))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
    }
  }
}
