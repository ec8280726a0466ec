package dev.slipway.testsupport;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared test PostgreSQL ({@link SlipwayInfrastructure#postgres()}) as the code under test
 * reaches it: a reactive pool, and plain JDBC for what a test sets up or checks behind the code's
 * back. Needs the reactive PostgreSQL client on the test class path (every service has it).
 */
public final class TestDatabase {

  private TestDatabase() {}

  /** A JDBC data source of the shared database, in {@code schema} when not null. */
  public static DataSource dataSource(String schema) {
    SlipwayInfrastructure.PostgresServer postgres = SlipwayInfrastructure.postgres();
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(postgres.jdbcUrl());
    source.setUser(postgres.username());
    source.setPassword(postgres.password());
    if (schema != null) {
      source.setCurrentSchema(schema);
    }
    return source;
  }

  /** A reactive pool of at most {@code size} connections, in {@code schema} when not null. */
  public static Pool pool(Vertx vertx, String schema, int size) {
    SlipwayInfrastructure.PostgresServer postgres = SlipwayInfrastructure.postgres();
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(postgres.host())
            .setPort(postgres.port())
            .setDatabase(postgres.database())
            .setUser(postgres.username())
            .setPassword(postgres.password());
    if (schema != null) {
      options.addProperty("search_path", schema);
    }
    return PgPool.pool(vertx, options, new PoolOptions().setMaxSize(size));
  }
}
