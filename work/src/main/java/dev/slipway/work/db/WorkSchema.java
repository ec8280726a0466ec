package dev.slipway.work.db;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * of the service that uses its database observes the start (the service's own Flyway migration has
 * run by then).
 *
 * <p>A start finds the schema current almost always; then Flyway is not started at all ({@link
 * #current}): one query finds in the history exactly the migrations below, each applied with its
 * checksum, which is what Flyway's validation accepts with nothing left to migrate. Anything else
 * (no history yet, a pending, failed, changed or unknown migration) goes to Flyway, which migrates
 * or refuses as before.
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
    if (current(dataSource)) {
      return;
    }
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

  /**
   * Whether the history of {@code dataSource} holds this module's migrations and nothing else, in
   * order, each applied successfully with today's checksum (a baseline row, which Flyway's
   * validation skips too, aside). False when it cannot tell, e.g. before the first migration.
   */
  static boolean current(DataSource dataSource) {
    List<String> applied = new ArrayList<>();
    try (Connection db = dataSource.getConnection();
        Statement statement = db.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT version, checksum, success FROM "
                    + HISTORY
                    + " WHERE type <> 'BASELINE' ORDER BY installed_rank")) {
      while (rows.next()) {
        int checksum = rows.getInt(2);
        applied.add(
            rows.getString(1)
                + " "
                + (rows.wasNull() ? "none" : checksum)
                + " "
                + rows.getBoolean(3));
      }
    } catch (SQLException e) {
      return false;
    }
    List<String> expected =
        MIGRATIONS.stream().map(m -> m.version() + " " + m.getChecksum() + " true").toList();
    return applied.equals(expected);
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
