package dev.slipway.trigger;

import dev.slipway.testsupport.SlipwayInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Direct access to trigger-service's database, for what tests check or break behind its back. */
public final class Database {

  private Database() {}

  /** Runs {@code sql} with {@code args}; returns the rows it changed. */
  public static int update(String sql, Object... args) {
    try (Connection db = SlipwayInfrastructure.postgres().connect();
        PreparedStatement statement = db.prepareStatement(sql)) {
      bind(statement, args);
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of the first row of {@code sql}, as a long (0 when there is no row). */
  public static long number(String sql, Object... args) {
    Object value = value(sql, args);
    return value == null ? 0 : ((Number) value).longValue();
  }

  /** The first column of the first row of {@code sql}, or null. */
  public static Object value(String sql, Object... args) {
    try (Connection db = SlipwayInfrastructure.postgres().connect();
        PreparedStatement statement = db.prepareStatement(sql)) {
      bind(statement, args);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getObject(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      statement.setObject(i + 1, args[i]);
    }
  }
}
