package dev.slipway.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayInfrastructure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Records and database access for tests that need rows without going through Kafka. */
public final class AuditTestData {

  private static final AtomicLong OFFSETS = new AtomicLong();

  private AuditTestData() {}

  /**
   * Valid-looking audit records of {@code application} on {@code topic}, a topic no broker holds,
   * at offsets no other test uses.
   */
  public static List<AuditRecord> records(
      String topic, String application, int count, OffsetDateTime firstTime) {
    List<AuditRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = UUID.randomUUID().toString();
      ObjectNode event = JsonNodeFactory.instance.objectNode();
      event.put("id", id);
      event.put("type", "dev.slipway." + topic + ".v1");
      event.put("subject", application);
      event.putObject("data").put("n", i).put("note", "räksmörgås ✓ \"quoted\"");
      records.add(
          new AuditRecord(
              topic,
              0,
              OFFSETS.incrementAndGet(),
              application,
              id,
              "dev.slipway." + topic + ".v1",
              "/slipway/test",
              application,
              "run-" + application,
              null,
              "commit-" + application,
              null,
              null,
              null,
              firstTime.plusSeconds(i),
              null,
              event,
              null));
    }
    return records;
  }

  /** A Kafka record as another service would have written {@code event}, at a given place. */
  public static ConsumerRecord<byte[], byte[]> kafkaRecord(
      String topic, int partition, long offset, Envelope<?> event) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_id", bytes(event.id()));
    headers.add("ce_source", bytes(event.source()));
    headers.add("ce_type", bytes(event.type()));
    headers.add("ce_time", bytes(event.time().toString()));
    headers.add("ce_subject", bytes(event.subject()));
    headers.add("ce_runid", bytes(event.runId()));
    Optional.ofNullable(event.causationId())
        .ifPresent(c -> headers.add("ce_causationid", bytes(c)));
    Optional.ofNullable(event.commitSha()).ifPresent(c -> headers.add("ce_commitsha", bytes(c)));
    byte[] value = EventJson.writePayload(event.data());
    return new ConsumerRecord<>(
        topic,
        partition,
        offset,
        System.currentTimeMillis(),
        TimestampType.CREATE_TIME,
        -1,
        value.length,
        bytes(event.subject()),
        value,
        headers,
        Optional.empty());
  }

  /** A superuser connection to the audit database, for what the service itself may not do. */
  public static Connection owner() throws SQLException {
    var postgres = SlipwayInfrastructure.postgres();
    return DriverManager.getConnection(
        postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
  }

  /** A connection as the service's own role. */
  public static Connection serviceRole() throws SQLException {
    return DriverManager.getConnection(
        SlipwayInfrastructure.postgres().getJdbcUrl(),
        AuditTestResource.APP_ROLE,
        AuditTestResource.APP_PASSWORD);
  }

  /** The number from a one-value query run as the owner. */
  public static long count(String sql) {
    try (Connection c = owner();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
