package dev.slipway.build.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.work.db.WorkSchema;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeasedQueue;
import dev.slipway.work.queue.Renewal;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The move of the build queue to work/'s leased-queue shape (V4) on a database holding builds of
 * the former shape: nothing queued or running is lost, a running build keeps its holder's name and
 * claim count, and the leased queue takes over what ran out while leaving alone what is still held.
 */
class BuildQueueMigrationIT {

  @Test
  void buildsQueuedOrRunningBeforeTheMoveAreKeptAndTakenOverOnlyOnceTheirLeaseRanOut()
      throws SQLException {
    String schema = "migration_" + UUID.randomUUID().toString().substring(0, 8);
    DataSource db = dataSource(schema);
    execute(dataSource(null), "CREATE SCHEMA " + schema);
    flyway(db, schema).target("3").load().migrate();
    execute(
        db,
        """
        INSERT INTO builds (id, run_id, attempt, event_id, application, commit_sha, ref, repo_url,
            commit_event, status, queued_at, started_at, owner, lease_until, claims)
        VALUES
          ('ran-out', 'r1', 1, 'e1', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
           'RUNNING', now() - interval '3 minutes', now(), 'old/0', now() - interval '1 second', 1),
          ('held', 'r2', 1, 'e2', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
           'RUNNING', now() - interval '2 minutes', now(), 'old/1', now() + interval '10 minutes',
           2),
          ('queued', 'r3', 1, 'e3', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
           'QUEUED', now() - interval '1 minute', NULL, NULL, NULL, 0)
        """);

    flyway(db, schema).load().migrate();
    WorkSchema.migrate(db);

    assertThat(
            rows(
                db,
                "SELECT id || ' ' || status || ' ' || coalesce(lease_owner, '-') || ' '"
                    + " || attempts || ' ' || coalesce(lease_token::text, '-')"
                    + " FROM builds ORDER BY queued_at"))
        .containsExactly(
            "ran-out RUNNING old/0 1 -", "held RUNNING old/1 2 -", "queued QUEUED - 0 -");

    Vertx vertx = Vertx.vertx();
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    Pool pool =
        io.vertx.mutiny.pgclient.PgPool.pool(
            vertx,
            new PgConnectOptions()
                .setHost(postgres.getHost())
                .setPort(postgres.getMappedPort(5432))
                .setDatabase(postgres.getDatabaseName())
                .setUser(postgres.getUsername())
                .setPassword(postgres.getPassword())
                .addProperty("search_path", schema),
            new PoolOptions().setMaxSize(2));
    try {
      LeasedQueue queue = new LeasedQueue(pool, BuildRepository.TABLE);
      List<Lease> claimed =
          queue.claim("new/0", 10, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10));
      assertThat(claimed).extracting(Lease::id).containsExactly("ran-out", "queued");
      assertThat(claimed.get(0).attempts()).as("a take-over").isEqualTo(2);
      assertThat(claimed).allSatisfy(lease -> assertThat(lease.token()).isPositive());
      assertThat(rows(db, "SELECT status FROM builds WHERE id = 'queued'"))
          .containsExactly("RUNNING");
      // The former holder of "held" has no token: nothing it could send is its lease any more.
      Lease former = new Lease("held", "old/1", 0, 2, "RUNNING", System.nanoTime());
      assertThat(queue.renew(former, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10)))
          .isEqualTo(Renewal.LOST);
      assertThat(rows(db, "SELECT lease_owner FROM builds WHERE id = 'held'"))
          .containsExactly("old/1");
    } finally {
      pool.closeAndAwait();
      vertx.closeAndAwait();
      execute(dataSource(null), "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(
      DataSource db, String schema) {
    return Flyway.configure()
        .dataSource(db)
        .schemas(schema)
        .defaultSchema(schema)
        .locations("classpath:db/migration");
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

  private static void execute(DataSource db, String sql) throws SQLException {
    try (Connection connection = db.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static List<String> rows(DataSource db, String sql) throws SQLException {
    try (Connection connection = db.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new java.util.ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }
}
