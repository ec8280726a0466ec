package dev.slipway.testsupport;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A throwaway schema of the shared test PostgreSQL for a migration test: the service's own Flyway
 * migrations run up to the version before the change, rows of the former shape are written, the
 * rest of the migrations run, and the result is read by SQL or used through a reactive pool as the
 * service uses it. Closing drops the schema.
 */
public final class MigrationSchema implements AutoCloseable {

  private final String name = "migration_" + UUID.randomUUID().toString().substring(0, 8);
  private final DataSource db;
  private Vertx vertx;
  private Pool pool;

  private MigrationSchema() throws SQLException {
    execute(TestDatabase.dataSource(null), "CREATE SCHEMA " + name);
    this.db = TestDatabase.dataSource(name);
  }

  /** A new empty schema. */
  public static MigrationSchema create() throws SQLException {
    return new MigrationSchema();
  }

  /** Runs the service's migrations ({@code classpath:db/migration}) up to {@code version}. */
  public MigrationSchema migrateTo(String version) {
    flyway().target(version).load().migrate();
    return this;
  }

  /** Runs the rest of the service's migrations. */
  public MigrationSchema migrate() {
    flyway().load().migrate();
    return this;
  }

  /** The schema, by JDBC. */
  public DataSource dataSource() {
    return db;
  }

  /** Runs {@code sql} in the schema. */
  public void execute(String sql) throws SQLException {
    execute(db, sql);
  }

  /** The first column of every row {@code sql} returns, as text. */
  public List<String> rows(String sql) throws SQLException {
    try (Connection connection = db.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }

  /** A reactive pool on the schema, as the service's repositories use one. */
  public synchronized Pool pool() {
    if (pool == null) {
      vertx = Vertx.vertx();
      pool = TestDatabase.pool(vertx, name, 2);
    }
    return pool;
  }

  @Override
  public synchronized void close() throws SQLException {
    if (pool != null) {
      pool.closeAndAwait();
      vertx.closeAndAwait();
    }
    execute(TestDatabase.dataSource(null), "DROP SCHEMA " + name + " CASCADE");
  }

  private org.flywaydb.core.api.configuration.FluentConfiguration flyway() {
    return Flyway.configure()
        .dataSource(db)
        .schemas(name)
        .defaultSchema(name)
        .locations("classpath:db/migration");
  }

  private static void execute(DataSource db, String sql) throws SQLException {
    try (Connection connection = db.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
