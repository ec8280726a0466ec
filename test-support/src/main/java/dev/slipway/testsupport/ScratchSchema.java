package dev.slipway.testsupport;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A schema of its own in the shared test PostgreSQL, for a test that migrates a database from an
 * older version (a migration test must not share the service's schema); dropped on close.
 */
public final class ScratchSchema implements AutoCloseable {

  private final String name;
  private final DataSource dataSource;

  private ScratchSchema(String name) {
    this.name = name;
    this.dataSource = dataSource(name);
  }

  /** Creates an empty schema named {@code prefix} and a random suffix. */
  public static ScratchSchema create(String prefix) {
    ScratchSchema schema =
        new ScratchSchema(prefix + "_" + UUID.randomUUID().toString().substring(0, 8));
    execute(dataSource(null), "CREATE SCHEMA " + schema.name);
    return schema;
  }

  /** The schema's name (its search path). */
  public String name() {
    return name;
  }

  /** Connections whose current schema is this one. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs {@code sql} in this schema. */
  public void execute(String sql) {
    execute(dataSource, sql);
  }

  /** The first column of every row {@code sql} returns in this schema, as text. */
  public List<String> rows(String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A reactive pool of two connections whose search path is this schema. */
  public Pool pool(Vertx vertx) {
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    return PgPool.pool(
        vertx,
        new PgConnectOptions()
            .setHost(postgres.getHost())
            .setPort(postgres.getMappedPort(5432))
            .setDatabase(postgres.getDatabaseName())
            .setUser(postgres.getUsername())
            .setPassword(postgres.getPassword())
            .addProperty("search_path", name),
        new PoolOptions().setMaxSize(2));
  }

  @Override
  public void close() {
    execute(dataSource(null), "DROP SCHEMA " + name + " CASCADE");
  }

  private static DataSource dataSource(String schema) {
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(postgres.getJdbcUrl());
    source.setUser(postgres.getUsername());
    source.setPassword(postgres.getPassword());
    if (schema != null) {
      source.setCurrentSchema(schema);
    }
    return source;
  }

  private static void execute(DataSource db, String sql) {
    try (Connection connection = db.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
