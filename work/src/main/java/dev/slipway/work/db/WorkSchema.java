package dev.slipway.work.db;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.List;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jboss.logging.Logger;

/**
 * The tables of this module (the outbox, the lease of its relay, the fencing-token sequence), kept
 * by Flyway with their own history table ({@code flyway_work_history}) in every service's database.
 * Shipped once, here, instead of a copy per service; versioned apart from each service's own
 * migrations, so neither numbering can collide with the other. Runs at start, before anything else
 * of the service observes the start (the service's own Flyway migration has run by then).
 */
@ApplicationScoped
public class WorkSchema {

  /** Flyway's history table of this module's migrations. */
  public static final String HISTORY = "flyway_work_history";

  private static final Logger LOG = Logger.getLogger(WorkSchema.class);

  /** The migrations, in order: version and SQL resource. */
  private static final List<SqlMigration> MIGRATIONS =
      List.of(new SqlMigration("1", "outbox and relay lease", "db/work/V1__outbox.sql"));

  private final DataSource dataSource;

  public WorkSchema(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  void migrateAtStart(@Observes @Priority(1) StartupEvent started) {
    migrate(dataSource);
  }

  /** Brings the schema of {@code dataSource} up to this module's latest version. */
  public static void migrate(DataSource dataSource) {
    var result =
        Flyway.configure()
            .dataSource(dataSource)
            .table(HISTORY)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .locations(new String[0])
            .javaMigrations(MIGRATIONS.toArray(JavaMigration[]::new))
            .load()
            .migrate();
    if (result.migrationsExecuted > 0) {
      LOG.infof("work schema migrated to version %s", result.targetSchemaVersion);
    }
  }

  /** One SQL file of {@code db/work}, run as a Flyway migration. */
  private record SqlMigration(String version, String description, String resource)
      implements JavaMigration {

    @Override
    public MigrationVersion getVersion() {
      return MigrationVersion.fromVersion(version);
    }

    @Override
    public String getDescription() {
      return description;
    }

    @Override
    public Integer getChecksum() {
      CRC32 crc = new CRC32();
      crc.update(sql().getBytes(StandardCharsets.UTF_8));
      return (int) crc.getValue();
    }

    @Override
    public boolean canExecuteInTransaction() {
      return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
      try (Statement statement = context.getConnection().createStatement()) {
        statement.execute(sql());
      }
    }

    private String sql() {
      try (InputStream in = WorkSchema.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing migration " + resource);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
