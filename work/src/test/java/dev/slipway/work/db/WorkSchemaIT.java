package dev.slipway.work.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.work.WorkDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The one outbox table replaces each service's own: the rows a service had not published yet move
 * over in their order (with their parking, and their topic read from the event type where the old
 * table had none); rows already sent are left behind. Each case runs in a schema of its own.
 */
class WorkSchemaIT {

  @Test
  void triggersOutboxIdTextAndParkedMovesOver() throws SQLException {
    String schema = schema();
    run(
        schema,
        """
        CREATE TABLE outbox (
            id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, application TEXT NOT NULL,
            event TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            sent_at TIMESTAMPTZ, parked_at TIMESTAMPTZ, parked_why TEXT);
        CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND parked_at IS NULL;
        CREATE TABLE relay_lease (name TEXT PRIMARY KEY, holder TEXT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL);
        """);
    insert(
        schema,
        "INSERT INTO outbox (event_id, application, event, sent_at) VALUES (?, ?, ?, now())",
        "sent",
        false);
    insert(
        schema, "INSERT INTO outbox (event_id, application, event) VALUES (?, ?, ?)", "a", false);
    insert(
        schema,
        "INSERT INTO outbox (event_id, application, event, parked_at, parked_why)"
            + " VALUES (?, ?, ?, now(), 'RecordTooLargeException')",
        "parked",
        false);
    insert(
        schema, "INSERT INTO outbox (event_id, application, event) VALUES (?, ?, ?)", "b", false);

    WorkSchema.migrate(WorkDatabase.dataSource(schema));

    assertThat(rows(schema))
        .containsExactly(
            "a commit.received unparked",
            "parked commit.received RecordTooLargeException",
            "b commit.received unparked");
    assertThat(exists(schema, "relay_lease")).isFalse();
  }

  @Test
  void buildsOutboxSeqAndBytesMovesOver() throws SQLException {
    String schema = schema();
    run(
        schema,
        """
        CREATE TABLE outbox (
            seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, application TEXT NOT NULL,
            event BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            sent_at TIMESTAMPTZ);
        CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
        """);
    insert(schema, "INSERT INTO outbox (event_id, application, event) VALUES (?, ?, ?)", "x", true);
    insert(
        schema,
        "INSERT INTO outbox (event_id, application, event, sent_at) VALUES (?, ?, ?, now())",
        "sent",
        true);
    insert(schema, "INSERT INTO outbox (event_id, application, event) VALUES (?, ?, ?)", "y", true);

    WorkSchema.migrate(WorkDatabase.dataSource(schema));

    assertThat(rows(schema)).containsExactly("x build.done unparked", "y build.done unparked");
    assertThat(events(schema)).allSatisfy(json -> assertThat(json).startsWith("{"));
  }

  @Test
  void scanAndDeploysOutboxWithTopicMovesOverAndAnEmptyDatabaseGetsTheTable() throws SQLException {
    String schema = schema();
    run(
        schema,
        """
        CREATE TABLE outbox (
            seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL,
            application TEXT NOT NULL, event TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(), sent_at TIMESTAMPTZ);
        """);
    try (Connection db = WorkDatabase.dataSource(schema).getConnection();
        PreparedStatement insert =
            db.prepareStatement(
                "INSERT INTO outbox (event_id, topic, application, event) VALUES (?, 'deploy.requested', 'shop', ?)")) {
      insert.setString(1, "p");
      insert.setString(2, json(EventType.BUILD_DONE));
      insert.executeUpdate();
    }

    WorkSchema.migrate(WorkDatabase.dataSource(schema));
    String empty = schema();
    WorkSchema.migrate(WorkDatabase.dataSource(empty));
    WorkSchema.migrate(WorkDatabase.dataSource(empty));

    assertThat(rows(schema)).containsExactly("p deploy.requested unparked");
    assertThat(rows(empty)).isEmpty();
    assertThat(exists(empty, "work_lease")).isTrue();
  }

  @Test
  void aCurrentSchemaIsToldWithoutFlywayAndAnythingElseGoesToFlyway() throws SQLException {
    String schema = schema();
    DataSource source = WorkDatabase.dataSource(schema);
    assertThat(WorkSchema.current(source)).as("no history yet").isFalse();

    WorkSchema.migrate(source);
    assertThat(WorkSchema.current(source)).as("every migration applied").isTrue();

    run(
        schema,
        "UPDATE " + WorkSchema.HISTORY + " SET checksum = checksum + 1 WHERE version = '1'");
    assertThat(WorkSchema.current(source)).as("a changed migration").isFalse();
    assertThatThrownBy(() -> WorkSchema.migrate(source))
        .as("Flyway's validation refuses it, as before")
        .hasMessageContaining("checksum");

    run(
        schema,
        "UPDATE " + WorkSchema.HISTORY + " SET checksum = checksum - 1 WHERE version = '1'");
    run(
        schema,
        "INSERT INTO "
            + WorkSchema.HISTORY
            + " (installed_rank, version, description, type, script, checksum, installed_by,"
            + " execution_time, success) VALUES (99, '2', 'later', 'JDBC', 'later', 1, 'test', 0,"
            + " true)");
    assertThat(WorkSchema.current(source)).as("a migration this build does not know").isFalse();
  }

  private static String schema() throws SQLException {
    String schema = "work_schema_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection db = WorkDatabase.dataSource(null).getConnection();
        Statement statement = db.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    return schema;
  }

  private static void run(String schema, String sql) throws SQLException {
    try (Connection db = WorkDatabase.dataSource(schema).getConnection();
        Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void insert(String schema, String sql, String eventId, boolean bytes)
      throws SQLException {
    EventType<?> type = bytes ? EventType.BUILD_DONE : EventType.COMMIT_RECEIVED;
    try (Connection db = WorkDatabase.dataSource(schema).getConnection();
        PreparedStatement insert = db.prepareStatement(sql)) {
      insert.setString(1, eventId);
      insert.setString(2, SampleEvents.APPLICATION);
      if (bytes) {
        insert.setBytes(3, json(type).getBytes(StandardCharsets.UTF_8));
      } else {
        insert.setString(3, json(type));
      }
      insert.executeUpdate();
    }
  }

  private static String json(EventType<?> type) {
    return new String(EventJson.writeEvent(SampleEvents.event(type, null)), StandardCharsets.UTF_8);
  }

  private static List<String> rows(String schema) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection db = WorkDatabase.dataSource(schema).getConnection();
        Statement statement = db.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT event_id, topic, coalesce(parked_why, 'unparked') FROM outbox ORDER BY id")) {
      while (result.next()) {
        rows.add(result.getString(1) + " " + result.getString(2) + " " + result.getString(3));
      }
    }
    return rows;
  }

  private static List<String> events(String schema) throws SQLException {
    List<String> events = new ArrayList<>();
    try (Connection db = WorkDatabase.dataSource(schema).getConnection();
        Statement statement = db.createStatement();
        ResultSet result = statement.executeQuery("SELECT event FROM outbox ORDER BY id")) {
      while (result.next()) {
        events.add(result.getString(1));
      }
    }
    return events;
  }

  private static boolean exists(String schema, String table) throws SQLException {
    DataSource source = WorkDatabase.dataSource(schema);
    try (Connection db = source.getConnection();
        PreparedStatement query =
            db.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
      query.setString(1, schema);
      query.setString(2, table);
      try (ResultSet result = query.executeQuery()) {
        return result.next();
      }
    }
  }
}
