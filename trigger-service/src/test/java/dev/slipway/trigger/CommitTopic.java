package dev.slipway.trigger;

import static org.awaitility.Awaitility.await;

import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What trigger-service left behind: the commit.received records of one application (read from the
 * start of the topic up to its current end once the outbox holds nothing unsent for it, so the
 * answer is exact) and the delivery and outbox rows in its database.
 */
public final class CommitTopic {

  private CommitTopic() {}

  /**
   * Every commit.received record keyed by {@code application}, once the relay published every
   * outbox row of it (waits up to a minute for that).
   */
  public static List<ConsumerRecord<String, byte[]>> recordsOf(String application) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> unsent(application) == 0);
    return topicRecordsOf(application);
  }

  /** Outbox rows of {@code application} neither sent nor parked. */
  public static long unsent(String application) {
    return Database.number(
        "SELECT count(*) FROM outbox WHERE application = ? AND sent_at IS NULL AND parked_at IS NULL",
        application);
  }

  /** Outbox rows of {@code application}, whatever their state. */
  public static long outboxRows(String application) {
    return Database.number("SELECT count(*) FROM outbox WHERE application = ?", application);
  }

  /** Every commit.received record keyed by {@code application} in the topic right now. */
  public static List<ConsumerRecord<String, byte[]>> topicRecordsOf(String application) {
    return topicRecordsOf(Topics.COMMIT_RECEIVED, application);
  }

  /** Every record of {@code topic} keyed by {@code application} in the topic right now. */
  public static List<ConsumerRecord<String, byte[]>> topicRecordsOf(
      String topic, String application) {
    return KafkaTestClient.readAll(topic).stream()
        .filter(record -> application.equals(record.key()))
        .toList();
  }

  /** The text of header {@code name} of {@code record}. */
  public static String header(ConsumerRecord<?, ?> record, String name) {
    return KafkaTestClient.header(record, name);
  }

  /** Delivery rows whose key contains {@code deliveryId}. */
  public static int storedDeliveries(String deliveryId) {
    var postgres = SlipwayInfrastructure.postgres();
    try (Connection db = postgres.connect();
        PreparedStatement query =
            db.prepareStatement("SELECT count(*) FROM deliveries WHERE delivery_key LIKE ?")) {
      query.setString(1, "%" + deliveryId + "%");
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The raw webhook_secret column of {@code application}. */
  public static byte[] storedSecret(String application) {
    var postgres = SlipwayInfrastructure.postgres();
    try (Connection db = postgres.connect();
        PreparedStatement query =
            db.prepareStatement("SELECT webhook_secret FROM applications WHERE name = ?")) {
      query.setString(1, application);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
