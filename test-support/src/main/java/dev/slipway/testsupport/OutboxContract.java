package dev.slipway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * What every service's outbox (module {@code work/}) must do with a row Kafka refuses for its
 * content: park it with the reason and deliver the rows behind it. Run against the service under
 * test: its real relay, the shared PostgreSQL (the service's {@code outbox} table) and Kafka.
 */
public final class OutboxContract {

  /** Bigger than the 1 MiB a broker and the relay's producer take by default. */
  private static final int TOO_LARGE = 2 * 1024 * 1024;

  private static final Duration WAIT = Duration.ofSeconds(60);

  private OutboxContract() {}

  /**
   * Writes, in this order and in one transaction, a copy of {@code next} too large for Kafka (its
   * data padded past 1 MiB, another event id) and {@code next} itself into the outbox; then checks
   * that the large row is parked as {@code RecordTooLarge…} and that {@code next} reaches its
   * topic. Deletes the parked row afterwards, so the outbox is healthy again for the tests after.
   */
  public static void refusedRowIsParkedAndTheNextIsDelivered(Envelope<?> next) {
    String topic = EventType.forCeType(next.type()).orElseThrow().topic();
    String tooLargeId = next.id() + "-too-large";
    String tooLarge = padded(next, tooLargeId);
    try (Connection db = connect()) {
      db.setAutoCommit(false);
      insert(db, tooLargeId, topic, next.subject(), tooLarge);
      insert(
          db,
          next.id(),
          topic,
          next.subject(),
          new String(EventJson.writeEvent(next), StandardCharsets.UTF_8));
      db.commit();
    } catch (SQLException e) {
      throw new AssertionError("could not write the outbox rows: " + e.getMessage(), e);
    }

    var delivered = KafkaTestClient.awaitRecord(topic, next.subject(), WAIT);
    assertThat(KafkaTestClient.header(delivered, "ce_id")).isEqualTo(next.id());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(parkedWhy(tooLargeId))
                    .as("why the relay parked the too large row")
                    .contains("RecordTooLarge"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(sentAt(next.id())).as("sent_at of the row behind it").isNotNull());
    delete(tooLargeId);
  }

  private static String padded(Envelope<?> event, String id) {
    try {
      ObjectNode json = (ObjectNode) EventJson.mapper().readTree(EventJson.writeEvent(event));
      json.put("id", id);
      ((ObjectNode) json.get("data")).put("padding", "x".repeat(TOO_LARGE));
      return EventJson.mapper().writeValueAsString(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void insert(
      Connection db, String eventId, String topic, String application, String event)
      throws SQLException {
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO outbox (event_id, topic, application, event) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, eventId);
      insert.setString(2, topic);
      insert.setString(3, application);
      insert.setString(4, event);
      insert.executeUpdate();
    }
  }

  private static String parkedWhy(String eventId) throws SQLException {
    return column("parked_why", eventId);
  }

  private static String sentAt(String eventId) throws SQLException {
    return column("sent_at::text", eventId);
  }

  private static String column(String column, String eventId) throws SQLException {
    try (Connection db = connect();
        PreparedStatement query =
            db.prepareStatement("SELECT " + column + " FROM outbox WHERE event_id = ?")) {
      query.setString(1, eventId);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  private static void delete(String eventId) {
    try (Connection db = connect();
        PreparedStatement delete = db.prepareStatement("DELETE FROM outbox WHERE event_id = ?")) {
      delete.setString(1, eventId);
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static Connection connect() throws SQLException {
    var postgres = SlipwayInfrastructure.postgres();
    return DriverManager.getConnection(
        postgres.jdbcUrl(), postgres.username(), postgres.password());
  }
}
