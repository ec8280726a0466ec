package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * What counts as the same record: a redelivery (same topic id, partition and offset) and the same
 * event published again (same CloudEvents source and id, same content) add nothing; a different
 * record with an id already seen is kept and flagged; a recreated topic's reused offsets are new.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class RecordIdentityIT {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditIngestConsumer consumer;

  @Test
  void aDifferentRecordWithAnIdAlreadySeenIsKeptAndFlagged() throws Exception {
    String topic = "identity.run-" + UUID.randomUUID().toString().substring(0, 8);
    SlipwayInfrastructure.createTopics(List.of(topic));
    String id = UUID.randomUUID().toString();

    send(topic, id, "{\"version\":1}");
    AuditTestData.awaitTopicRows(viewer, topic, 1);
    send(topic, id, "{\"version\":2}");
    JsonPath rows = AuditTestData.awaitTopicRows(viewer, topic, 2);
    // The first event published again: the same event, nothing added.
    send(topic, id, "{\"version\":1}");
    send(topic, UUID.randomUUID().toString(), "{\"version\":3}");
    rows = AuditTestData.awaitTopicRows(viewer, topic, 3);

    assertThat(rows.getList("items.eventId", String.class)).element(0).isEqualTo(id);
    assertThat(rows.getString("items[0].conflictOf")).isNull();
    assertThat(rows.getLong("items[1].conflictOf")).isEqualTo(rows.getLong("items[0].seq"));
    assertThat(rows.getInt("items[1].event.data.version")).isEqualTo(2);
    assertThat(rows.getString("items[2].conflictOf")).isNull();
  }

  @Test
  void aRecreatedTopicsReusedOffsetsAreNewRecords() throws Exception {
    // A name outside the subscription, so the running consumers never see it: the records are
    // handed to the consumer as a poll would, and only the topic ids come from the cluster.
    String topic = "recreated_run.t" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", SlipwayInfrastructure.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      consumer.ingest(batch(topic, "first-life"));
      consumer.ingest(batch(topic, "first-life-again"));
      assertThat(rows(topic)).hasSize(2);

      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !admin.listTopics().names().get().contains(topic));
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      consumer.ingest(batch(topic, "second-life"));
      consumer.ingest(batch(topic, "second-life-again"));
    }

    List<Map<String, Object>> rows = rows(topic);
    assertThat(rows).hasSize(4);
    assertThat(rows).extracting(r -> r.get("offset")).containsExactly(0, 1, 0, 1);
    assertThat(rows).extracting(r -> r.get("topicId")).doesNotContainNull();
    assertThat(rows.get(0).get("topicId")).isEqualTo(rows.get(1).get("topicId"));
    assertThat(rows.get(2).get("topicId")).isNotEqualTo(rows.get(0).get("topicId"));
    assertThat(rows)
        .extracting(r -> r.get("eventId"))
        .allMatch(id -> ((String) id).contains("life"));
  }

  /** Two records at offsets 0 and 1 of the topic's only partition, as a poll returns them. */
  private static ConsumerRecords<byte[], byte[]> batch(String topic, String life) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int offset = 0; offset < 2; offset++) {
      String id = life.replace("-again", "") + "-" + offset + "-" + UUID.randomUUID();
      RecordHeaders headers = new RecordHeaders();
      headers.add("ce_id", AuditTestData.bytes(id));
      headers.add("ce_source", AuditTestData.bytes("/slipway/identity-test"));
      headers.add("ce_type", AuditTestData.bytes("dev.slipway.identity.run.v1"));
      headers.add("ce_time", AuditTestData.bytes("2026-03-01T10:00:00Z"));
      headers.add("ce_subject", AuditTestData.bytes("app"));
      headers.add("ce_runid", AuditTestData.bytes("run-" + id));
      byte[] value = AuditTestData.bytes("{\"life\":\"" + life + "\"}");
      records.add(
          new ConsumerRecord<>(
              topic,
              0,
              offset,
              System.currentTimeMillis(),
              TimestampType.CREATE_TIME,
              -1,
              value.length,
              AuditTestData.bytes("app"),
              value,
              headers,
              Optional.empty()));
    }
    return new ConsumerRecords<>(Map.of(new TopicPartition(topic, 0), records), Map.of());
  }

  private static List<Map<String, Object>> rows(String topic) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("topic", topic)
        .queryParam("order", "asc")
        .get("/api/audit/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("items");
  }

  private static void send(String topic, String id, String value) throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, 0, AuditTestData.bytes("app"), AuditTestData.bytes(value));
    record.headers().add("ce_specversion", AuditTestData.bytes("1.0"));
    record.headers().add("ce_id", AuditTestData.bytes(id));
    record.headers().add("ce_source", AuditTestData.bytes("/slipway/identity-test"));
    record.headers().add("ce_type", AuditTestData.bytes("dev.slipway.identity.run.v1"));
    record.headers().add("ce_time", AuditTestData.bytes("2026-03-01T10:00:00Z"));
    record.headers().add("ce_subject", AuditTestData.bytes("app"));
    record.headers().add("ce_runid", AuditTestData.bytes("run-" + id));
    AuditTestData.produce(List.of(record));
  }
}
