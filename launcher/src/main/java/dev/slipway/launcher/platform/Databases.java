package dev.slipway.launcher.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/** One PostgreSQL database per service, created by the administrator when it is missing. */
final class Databases {

  private Databases() {}

  /** Creates each service's database that does not exist yet; returns whose it created. */
  static Set<PlatformService> ensure(Infrastructure.Postgres postgres) {
    try (Connection admin =
            DriverManager.getConnection(
                postgres.jdbcUrl("postgres"), postgres.user(), postgres.password());
        Statement sql = admin.createStatement()) {
      Set<String> existing = new HashSet<>();
      try (ResultSet rows = sql.executeQuery("SELECT datname FROM pg_database")) {
        while (rows.next()) {
          existing.add(rows.getString(1));
        }
      }
      Set<PlatformService> created = EnumSet.noneOf(PlatformService.class);
      for (PlatformService service : PlatformService.values()) {
        if (!existing.contains(service.database())) {
          sql.execute("CREATE DATABASE " + service.database());
          created.add(service);
        }
      }
      return created;
    } catch (SQLException e) {
      throw new PlatformException(
          "cannot create the services' databases on "
              + postgres.host()
              + ":"
              + postgres.port()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
