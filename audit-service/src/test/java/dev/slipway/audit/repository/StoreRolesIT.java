package dev.slipway.audit.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.SlipwayInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way to rewrite history, tried as each role that could: the service's own role, the owner
 * (the migrator after SET ROLE) and the migrator itself. PostgreSQL refuses each one: the service's
 * role lacks the privilege, the owner is stopped by the append-only triggers and the
 * administrator's DDL guard. Nothing changes.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class StoreRolesIT {

  private static final String PERMISSION_DENIED = "42501";

  @Inject AuditStoreWriter writer;
  @Inject StoreRoleGuard guard;

  @BeforeEach
  void someHistoryExists() {
    writer.append(
        AuditTestData.records(
            "test.roles", "roles-" + UUID.randomUUID(), 2, OffsetDateTime.now(ZoneOffset.UTC)));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "update | service | UPDATE audit_events SET actor = 'mallory'",
        "update | owner | UPDATE audit_events SET actor = 'mallory'",
        "update | migrator | UPDATE audit_events SET actor = 'mallory'",
        "delete | service | DELETE FROM audit_events",
        "delete | owner | DELETE FROM audit_events",
        "truncate | service | TRUNCATE audit_events",
        "truncate | owner | TRUNCATE audit_events",
        "truncate tree | owner | TRUNCATE audit_tree_nodes",
        "delete checkpoints | owner | DELETE FROM audit_checkpoints",
        "disable trigger | service | ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        "disable trigger | owner | ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        "disable all triggers | owner | ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "drop trigger | service | DROP TRIGGER audit_events_no_change ON audit_events",
        "drop trigger | owner | DROP TRIGGER audit_events_no_change ON audit_events",
        "replace the function | service | CREATE OR REPLACE FUNCTION audit_reject_change()"
            + " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "replace the function | owner | CREATE OR REPLACE FUNCTION audit_reject_change()"
            + " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "drop the function | owner | DROP FUNCTION audit_reject_change() CASCADE",
        "rename the table | owner | ALTER TABLE audit_events RENAME TO audit_events_old",
        "drop the table | owner | DROP TABLE audit_events",
        "a rule that drops inserts | owner | CREATE RULE forget AS ON INSERT TO audit_events"
            + " DO INSTEAD NOTHING",
        "a trigger that rewrites inserts | owner | CREATE TRIGGER rewrite BEFORE INSERT ON"
            + " audit_events FOR EACH ROW EXECUTE FUNCTION audit_reject_change()",
        "row security that hides rows | owner | ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY",
        "replica mode skips triggers | owner | SET session_replication_role = replica",
        "replica mode skips triggers | service | SET session_replication_role = replica",
        "switch the guard off | owner | ALTER EVENT TRIGGER audit_store_ddl_guard DISABLE",
        "replace the guard | owner | CREATE OR REPLACE FUNCTION audit_guard.refuse_store_ddl()"
            + " RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$",
        "become the owner | service | SET ROLE slipway_audit_owner"
      })
  void everyBypassIsRefused(String bypass, String role, String statement) throws SQLException {
    long rows = AuditTestData.count("SELECT count(*) FROM audit_events");
    String before = fingerprint();
    try (Connection c = connect(role);
        Statement sql = c.createStatement()) {
      assertThatThrownBy(() -> sql.execute(statement))
          .as("%s as %s", bypass, role)
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo(PERMISSION_DENIED);
    }
    assertThat(AuditTestData.count("SELECT count(*) FROM audit_events"))
        .isGreaterThanOrEqualTo(rows);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Test
  void nobodyLogsInAsTheOwner() {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    SlipwayInfrastructure.postgres().jdbcUrl(),
                    AuditTestResource.OWNER_ROLE,
                    AuditTestResource.MIGRATOR_PASSWORD))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void theServiceRefusesToRunWithARoleThatCouldRewriteHistory() throws SQLException {
    assertThat(guard.violations()).isEmpty();
    try (Connection owner = AuditTestData.owner();
        Statement sql = owner.createStatement()) {
      // GRANT carries no object to the DDL guard; the role check catches it.
      sql.execute("GRANT UPDATE, TRUNCATE ON audit_events TO " + AuditTestResource.APP_ROLE);
      try {
        assertThat(guard.violations())
            .contains(
                AuditTestResource.APP_ROLE + " can UPDATE audit_events",
                AuditTestResource.APP_ROLE + " can TRUNCATE audit_events");
        assertThatThrownBy(() -> guard.onStart(null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refuses to start");
      } finally {
        sql.execute("REVOKE UPDATE, TRUNCATE ON audit_events FROM " + AuditTestResource.APP_ROLE);
      }
    }
    try (Connection admin = AuditTestData.admin();
        Statement sql = admin.createStatement()) {
      sql.execute("GRANT " + AuditTestResource.OWNER_ROLE + " TO " + AuditTestResource.APP_ROLE);
      try {
        assertThat(guard.violations())
            .anyMatch(v -> v.contains("owns audit_events or is a member of its owner"));
      } finally {
        sql.execute(
            "REVOKE " + AuditTestResource.OWNER_ROLE + " FROM " + AuditTestResource.APP_ROLE);
      }
      sql.execute("ALTER EVENT TRIGGER audit_store_ddl_guard DISABLE");
      try {
        assertThat(guard.violations()).anyMatch(v -> v.contains("DDL guard"));
      } finally {
        sql.execute("ALTER EVENT TRIGGER audit_store_ddl_guard ENABLE ALWAYS");
      }
    }
    assertThat(guard.violations()).isEmpty();
  }

  private static Connection connect(String role) throws SQLException {
    return switch (role) {
      case "service" -> AuditTestData.serviceRole();
      case "owner" -> AuditTestData.owner();
      case "migrator" -> AuditTestData.migrator();
      default -> throw new IllegalArgumentException(role);
    };
  }

  /** What a rewrite would change: the rows' hashes, the triggers and the guard. */
  private static String fingerprint() {
    try (Connection c = AuditTestData.admin();
        Statement sql = c.createStatement();
        var rows =
            sql.executeQuery(
                """
                SELECT (SELECT md5(string_agg(encode(hash, 'hex'), '' ORDER BY seq))
                          FROM audit_events),
                       (SELECT string_agg(tgname || tgenabled::text, ',' ORDER BY tgname)
                          FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass),
                       (SELECT string_agg(evtname || evtenabled::text, ',' ORDER BY evtname)
                          FROM pg_event_trigger),
                       (SELECT relrowsecurity FROM pg_class WHERE oid = 'audit_events'::regclass)
                """)) {
      rows.next();
      return rows.getString(1)
          + "|"
          + rows.getString(2)
          + "|"
          + rows.getString(3)
          + "|"
          + rows.getString(4);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
