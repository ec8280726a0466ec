package dev.slipway.launcher.platform;

import dev.slipway.launcher.AuditKeyCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * What a database administrator and a migration job do for audit-service before it starts: the
 * roles and the DDL guard ({@code db/admin/bootstrap.sql}, as the superuser), the roles' passwords,
 * the checkpoint signing key, then the service's migrations as the migrator ({@code SET ROLE}
 * owner). The running service then holds only its append-and-read role.
 */
final class AuditStore {

  static final String APP_ROLE = "slipway_audit_app";
  static final String APP_PASSWORD = "audit-db-password";
  private static final String MIGRATOR_ROLE = "slipway_audit_migrator";
  private static final String MIGRATOR_PASSWORD = "audit-migrator-password";
  private static final String PLACEHOLDERS = "quarkus.flyway.placeholders.";

  private final PlatformSettings settings;
  private final LocalSecrets secrets;

  AuditStore(PlatformSettings settings, LocalSecrets secrets) {
    this.settings = settings;
    this.secrets = secrets;
  }

  /** Bootstraps, keys and migrates the audit store. */
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

  /**
   * The packaged service's migrations ({@code db/migration/} in its application jar) run by Flyway
   * in this process as the migrator, with the service's own Flyway settings read from the same
   * jar's {@code application.properties} ({@code quarkus.flyway.init-sql}, which takes the owner
   * role, and {@code quarkus.flyway.placeholders.*}): the scripts and settings the one-shot
   * migration job runs on Kubernetes ({@code k8s/base/audit-service-migrate.yaml}), without booting
   * a whole service for it (15 s of a 2-core machine while four services start).
   */
  private void migrate() {
    Infrastructure.Postgres postgres = settings.infrastructure().postgres();
    Path app = applicationJar();
    Properties own = flywaySettings(app);
    Map<String, String> placeholders = new LinkedHashMap<>();
    for (String name : own.stringPropertyNames()) {
      if (name.startsWith(PLACEHOLDERS)) {
        placeholders.put(name.substring(PLACEHOLDERS.length()), own.getProperty(name));
      }
    }
    try (URLClassLoader jar =
        new URLClassLoader(new URL[] {app.toUri().toURL()}, AuditStore.class.getClassLoader())) {
      Flyway.configure(jar)
          .dataSource(
              postgres.jdbcUrl(PlatformService.AUDIT.database()),
              MIGRATOR_ROLE,
              secrets.get(MIGRATOR_PASSWORD))
          .initSql(own.getProperty("quarkus.flyway.init-sql"))
          .placeholders(placeholders)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (FlywayException e) {
      throw new PlatformException("the audit store's migration failed: " + e.getMessage(), e);
    }
  }

  /** audit-service's application jar inside its {@code quarkus-app/}: its classes and resources. */
  private Path applicationJar() {
    Path folder = settings.layout().jar(PlatformService.AUDIT).resolveSibling("app");
    try (Stream<Path> jars = Files.list(folder)) {
      return jars.filter(path -> path.getFileName().toString().endsWith(".jar"))
          .findFirst()
          .orElseThrow(() -> new PlatformException("audit-service is not built (" + folder + ")"));
    } catch (IOException e) {
      throw new PlatformException("audit-service is not built (" + folder + ")", e);
    }
  }

  private static Properties flywaySettings(Path app) {
    try (JarFile jar = new JarFile(app.toFile())) {
      var entry = jar.getEntry("application.properties");
      if (entry == null) {
        throw new PlatformException(
            app + " has no application.properties: not audit-service's jar");
      }
      try (InputStream in = jar.getInputStream(entry)) {
        Properties all = new Properties();
        all.load(in);
        return all;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + app + "'s application.properties", e);
    }
  }
}
