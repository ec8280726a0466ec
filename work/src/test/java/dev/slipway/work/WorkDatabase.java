package dev.slipway.work;

import dev.slipway.testsupport.TestDatabase;
import dev.slipway.work.db.WorkSchema;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The real PostgreSQL of the test JVM with this module's schema, as a reactive pool (what the
 * services use) and as plain JDBC for what tests set up or check behind the code's back.
 */
public final class WorkDatabase {

  private static Vertx vertx;
  private static Pool pool;

  private WorkDatabase() {}

  /** The reactive pool of the shared database, its work schema migrated. */
  public static synchronized Pool pool() {
    if (pool == null) {
      WorkSchema.migrate(dataSource(null));
      vertx = Vertx.vertx();
      pool = TestDatabase.pool(vertx, null, 8);
    }
    return pool;
  }

  /** A JDBC data source of the shared database, in {@code schema} when not null. */
  public static DataSource dataSource(String schema) {
    return TestDatabase.dataSource(schema);
  }

  /** Runs {@code sql} with {@code args} in the public schema; returns the rows it changed. */
  public static int update(String sql, Object... args) {
    try (Connection db = dataSource(null).getConnection();
        PreparedStatement statement = db.prepareStatement(sql)) {
      bind(statement, args);
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of every row of {@code sql}. */
  public static List<Object> column(String sql, Object... args) {
    try (Connection db = dataSource(null).getConnection();
        PreparedStatement statement = db.prepareStatement(sql)) {
      bind(statement, args);
      List<Object> values = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getObject(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of the first row of {@code sql}, or null. */
  public static Object value(String sql, Object... args) {
    List<Object> values = column(sql, args);
    return values.isEmpty() ? null : values.get(0);
  }

  private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      statement.setObject(i + 1, args[i]);
    }
  }
}
