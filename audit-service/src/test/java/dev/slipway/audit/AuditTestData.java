package dev.slipway.audit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.repository.StoreRoleGuard;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayInfrastructure;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Records and database access for tests that need rows without going through Kafka. */
public final class AuditTestData {

  private static final AtomicLong OFFSETS = new AtomicLong();

  private AuditTestData() {}

  /**
   * Valid-looking audit records of {@code application} on {@code topic}, a topic no broker holds,
   * in a topic incarnation of their own (so batches made concurrently never look like each other's
   * redeliveries), at offsets no other test uses.
   */
  public static List<AuditRecord> records(
      String topic, String application, int count, OffsetDateTime firstTime) {
    String topicId = UUID.randomUUID().toString();
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
              topicId,
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
              false,
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

  /** A connection as the database administrator (a superuser). */
  public static Connection admin() throws SQLException {
    var postgres = SlipwayInfrastructure.postgres();
    return DriverManager.getConnection(
        postgres.jdbcUrl(), postgres.username(), postgres.password());
  }

  /** A connection as the migrations' login, which may SET ROLE to the owner. */
  public static Connection migrator() throws SQLException {
    return DriverManager.getConnection(
        SlipwayInfrastructure.postgres().jdbcUrl(),
        AuditTestResource.MIGRATOR_ROLE,
        AuditTestResource.MIGRATOR_PASSWORD);
  }

  /** A connection acting as the tables' owner: the migrator after SET ROLE. */
  public static Connection owner() throws SQLException {
    Connection c = migrator();
    try (Statement sql = c.createStatement()) {
      sql.execute("SET ROLE " + AuditTestResource.OWNER_ROLE);
    }
    return c;
  }

  /** A connection as the service's own role. */
  public static Connection serviceRole() throws SQLException {
    return DriverManager.getConnection(
        SlipwayInfrastructure.postgres().jdbcUrl(),
        AuditTestResource.APP_ROLE,
        AuditTestResource.APP_PASSWORD);
  }

  /** The number from a one-value query run as the administrator. */
  public static long count(String sql) {
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code statements} as a superuser who switches the DDL guard and the append-only triggers
   * off for one transaction: the only way to change history, and what verification must catch.
   * Everything is switched on again in the same transaction.
   */
  public static void tamper(String... statements) {
    try (Connection c = admin();
        Statement sql = c.createStatement()) {
      c.setAutoCommit(false);
      sql.execute("ALTER EVENT TRIGGER audit_store_ddl_guard DISABLE");
      sql.execute("ALTER EVENT TRIGGER audit_store_drop_guard DISABLE");
      for (String table : StoreRoleGuard.TABLES) {
        sql.execute("ALTER TABLE " + table + " DISABLE TRIGGER USER");
      }
      for (String statement : statements) {
        sql.execute(statement);
      }
      for (String table : StoreRoleGuard.TABLES) {
        sql.execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + table + "_no_change");
        sql.execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + table + "_no_truncate");
      }
      sql.execute("ALTER EVENT TRIGGER audit_store_ddl_guard ENABLE ALWAYS");
      sql.execute("ALTER EVENT TRIGGER audit_store_drop_guard ENABLE ALWAYS");
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code work} while no append can commit (the append lock is held by another session), so a
   * test can cut rows off the end and put them back without racing the consumer.
   */
  public static <T> T withAppendsHeld(Callable<T> work) throws Exception {
    try (Connection c = admin();
        Statement sql = c.createStatement()) {
      sql.execute("SELECT pg_advisory_lock(" + AuditStoreWriter.APPEND_LOCK + ")");
      try {
        return work.call();
      } finally {
        sql.execute("SELECT pg_advisory_unlock(" + AuditStoreWriter.APPEND_LOCK + ")");
      }
    }
  }

  /** Sends raw records, each acknowledged by every replica before the next. */
  public static void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SlipwayInfrastructure.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        producer.send(record).get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Waits until {@code topic} has {@code count} rows, and returns them oldest first. */
  public static JsonPath awaitTopicRows(String token, String topic, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(token)
                    .queryParam("topic", topic)
                    .get("/api/audit/events")
                    .then()
                    .statusCode(200)
                    .body("items", hasSize(count)));
    return given()
        .auth()
        .oauth2(token)
        .queryParam("topic", topic)
        .queryParam("order", "asc")
        .get("/api/audit/events")
        .then()
        .extract()
        .jsonPath();
  }

  /** UTF-8 bytes of {@code text}. */
  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
