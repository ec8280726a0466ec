package dev.slipway.launcher.platform;

import dev.slipway.launcher.AuditKeyCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a database administrator and a migration job do for audit-service before it starts: the
 * roles and the DDL guard ({@code db/admin/bootstrap.sql}, as the superuser), the roles' passwords,
 * the checkpoint signing key, then the migrations in a one-shot run of the service's jar as the
 * migrator ({@code SET ROLE} owner), which exits. The running service then holds only its
 * append-and-read role.
 */
final class AuditStore {

  static final String APP_ROLE = "slipway_audit_app";
  static final String APP_PASSWORD = "audit-db-password";
  private static final String MIGRATOR_ROLE = "slipway_audit_migrator";
  private static final String MIGRATOR_PASSWORD = "audit-migrator-password";

  private final PlatformSettings settings;
  private final LocalSecrets secrets;
  private final ProcessRunner processes;

  AuditStore(PlatformSettings settings, LocalSecrets secrets, ProcessRunner processes) {
    this.settings = settings;
    this.secrets = secrets;
    this.processes = processes;
  }

  /** Bootstraps, keys and migrates the audit store; returns when the migration has exited. */
  void prepare() {
    bootstrap();
    try {
      AuditKeyCommand.ensure(settings.layout().audit(), "slipway.dev/audit");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the audit checkpoint key", e);
    }
    migrate();
  }

  private void bootstrap() {
    Infrastructure.Postgres postgres = settings.infrastructure().postgres();
    String database = PlatformService.AUDIT.database();
    try (Connection admin =
            DriverManager.getConnection(
                postgres.jdbcUrl(database), postgres.user(), postgres.password());
        Statement sql = admin.createStatement()) {
      sql.execute(Files.readString(settings.layout().auditBootstrapSql()));
      sql.execute(
          "ALTER ROLE " + MIGRATOR_ROLE + " PASSWORD '" + secrets.get(MIGRATOR_PASSWORD) + "'");
      sql.execute("ALTER ROLE " + APP_ROLE + " PASSWORD '" + secrets.get(APP_PASSWORD) + "'");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new PlatformException("the audit store's bootstrap failed: " + e.getMessage(), e);
    }
  }

  private void migrate() {
    Infrastructure.Postgres postgres = settings.infrastructure().postgres();
    String database = PlatformService.AUDIT.database();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_INIT_AND_EXIT", "true");
    env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database));
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database));
    env.put("QUARKUS_FLYWAY_USERNAME", MIGRATOR_ROLE);
    env.put("QUARKUS_FLYWAY_PASSWORD", secrets.get(MIGRATOR_PASSWORD));
    env.put("MP_MESSAGING_INCOMING_AUDIT_IN_ENABLED", "false");
    env.put("KAFKA_BOOTSTRAP_SERVERS", settings.infrastructure().kafkaBootstrap());
    env.put("SLIPWAY_JWT_PUBLIC_KEY", settings.jwtPublicKey());
    List<String> command =
        ProcessRunner.java(
            settings.jvm().of(PlatformService.AUDIT, settings.layout().jar(PlatformService.AUDIT)),
            settings.layout().jar(PlatformService.AUDIT));
    int exit = processes.runToEnd("audit-migrate", command, env, settings.readyTimeout());
    if (exit != 0) {
      throw new PlatformException(
          "the audit store's migration failed (exit "
              + exit
              + "), see "
              + processes.log("audit-migrate"));
    }
  }
}
