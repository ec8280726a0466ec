package dev.slipway.audit.repository;

import dev.slipway.audit.config.AuditConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes sure the role the service runs as cannot rewrite history: it may read and append to the
 * audit tables and nothing more; it is no superuser, cannot create roles, does not own the tables
 * and is no member of their owner; the append-only triggers are there and fire always; no other
 * trigger, rule or row security changes what is written or read; and the administrator's DDL guard
 * is installed. The service refuses to start otherwise, and the checkpoint writer checks again on
 * every run, since an owner could grant or change things while the service runs.
 */
@ApplicationScoped
public class StoreRoleGuard {

  /** The tables of the audit store. */
  public static final List<String> TABLES =
      List.of("audit_events", "audit_tree_nodes", "audit_tree_tiles", "audit_checkpoints");

  /** The event triggers db/admin/bootstrap.sql installs. */
  public static final List<String> DDL_GUARDS =
      List.of("audit_store_ddl_guard", "audit_store_drop_guard");

  private static final Logger LOG = Logger.getLogger(StoreRoleGuard.class);

  private static final String ROLE =
      "SELECT current_user, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles"
          + " WHERE rolname = current_user";

  private static final String TABLE =
      """
      SELECT c.oid IS NOT NULL,
             has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'),
             has_table_privilege(c.oid, 'UPDATE') OR has_any_column_privilege(c.oid, 'UPDATE'),
             has_table_privilege(c.oid, 'DELETE'), has_table_privilege(c.oid, 'TRUNCATE'),
             has_table_privilege(c.oid, 'TRIGGER'),
             pg_has_role(current_user, c.relowner, 'MEMBER'),
             c.relrowsecurity,
             (SELECT string_agg(t.tgname || ':' || t.tgenabled::text, ',' ORDER BY t.tgname)
                FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),
             (SELECT count(*) FROM pg_rewrite w WHERE w.ev_class = c.oid
                                                  AND w.rulename <> '_RETURN')
        FROM (SELECT to_regclass(?) AS oid) AS r LEFT JOIN pg_class c ON c.oid = r.oid
      """;

  private static final String GUARDS =
      "SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname = ANY(?)";

  private final AgroalDataSource dataSource;
  private final AuditConfig config;

  public StoreRoleGuard(AgroalDataSource dataSource, AuditConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.store().checkRoleAtStart()) {
      LOG.warn("the audit store's role check at start is switched off");
      return;
    }
    List<String> violations = violations();
    if (!violations.isEmpty()) {
      throw new IllegalStateException(
          "audit-service refuses to start, its database role could rewrite history: "
              + String.join("; ", violations));
    }
  }

  /** What the service's role could do beyond reading and appending; empty when nothing. */
  public List<String> violations() {
    List<String> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      String role;
      try (PreparedStatement sql = c.prepareStatement(ROLE);
          ResultSet rows = sql.executeQuery()) {
        rows.next();
        role = rows.getString(1);
        if (rows.getBoolean(2)) {
          found.add(role + " is a superuser");
        }
        if (rows.getBoolean(3)) {
          found.add(role + " can create roles (and so grant itself the owner's)");
        }
        if (rows.getBoolean(4)) {
          found.add(role + " bypasses row level security");
        }
      }
      for (String table : TABLES) {
        checkTable(c, role, table, found);
      }
      if (config.store().requireDdlGuard()) {
        checkGuards(c, found);
      }
    } catch (SQLException e) {
      found.add("cannot inspect the database role: " + e.getMessage());
    }
    return found;
  }

  private static void checkTable(Connection c, String role, String table, List<String> found)
      throws SQLException {
    try (PreparedStatement sql = c.prepareStatement(TABLE)) {
      sql.setString(1, table);
      try (ResultSet rows = sql.executeQuery()) {
        rows.next();
        if (!rows.getBoolean(1)) {
          found.add(table + " does not exist: run the migration first");
          return;
        }
        if (!rows.getBoolean(2) || !rows.getBoolean(3)) {
          found.add(role + " cannot SELECT and INSERT " + table);
        }
        String[] changes = {"UPDATE", "DELETE", "TRUNCATE", "create triggers on"};
        for (int i = 0; i < changes.length; i++) {
          if (rows.getBoolean(4 + i)) {
            found.add(role + " can " + changes[i] + " " + table);
          }
        }
        if (rows.getBoolean(8)) {
          found.add(role + " owns " + table + " or is a member of its owner, so it can ALTER it");
        }
        if (rows.getBoolean(9)) {
          found.add(table + " has row level security, which can hide rows");
        }
        String expected = table + "_no_change:A," + table + "_no_truncate:A";
        String triggers = rows.getString(10);
        if (!expected.equals(triggers)) {
          found.add(
              table
                  + " must have exactly its append-only triggers enabled ALWAYS ("
                  + expected
                  + "), has "
                  + triggers);
        }
        if (rows.getLong(11) > 0) {
          found.add(table + " has rules, which can rewrite what is written");
        }
      }
    }
  }

  private static void checkGuards(Connection c, List<String> found) throws SQLException {
    try (PreparedStatement sql = c.prepareStatement(GUARDS)) {
      sql.setArray(1, c.createArrayOf("text", DDL_GUARDS.toArray()));
      List<String> enabled = new ArrayList<>();
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          if ("A".equals(rows.getString(2))) {
            enabled.add(rows.getString(1));
          }
        }
      }
      if (!enabled.containsAll(DDL_GUARDS)) {
        found.add(
            "the database administrator's DDL guard (event triggers "
                + DDL_GUARDS
                + ", db/admin/bootstrap.sql) is not installed and enabled ALWAYS");
      }
    }
  }
}
