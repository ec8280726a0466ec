package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditIngestConsumerIT {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditIngestConsumer consumer;

  @Test
  void everyEventOfEveryTopicLandsOnceEvenWhenPublishedTwice() {
    List<Envelope<?>> run = sampleRun();
    // Published last event first: the timeline must still come out in causal order.
    List<Envelope<?>> lastFirst = new ArrayList<>(run);
    Collections.reverse(lastFirst);
    for (Envelope<?> event : lastFirst) {
      KafkaTestClient.send(EventType.forCeType(event.type()).orElseThrow().topic(), event);
      KafkaTestClient.send(EventType.forCeType(event.type()).orElseThrow().topic(), event);
    }
    String runId = run.get(0).runId();

    awaitRunEvents(runId, 5);
    // Every duplicate was consumed too: a later event of the run lands, the count moves by one.
    Envelope<?> later = SampleEvents.event(EventType.DEPLOY_DONE, run.get(3));
    KafkaTestClient.send(EventType.DEPLOY_DONE.topic(), later);
    awaitRunEvents(runId, 6);

    given()
        .auth()
        .oauth2(viewer)
        .get("/api/audit/runs/" + runId)
        .then()
        .body("application", equalTo(SampleEvents.APPLICATION))
        .body("commitSha", equalTo(SampleEvents.COMMIT))
        .body(
            "events.topic",
            contains(
                "commit.received",
                "build.done",
                "scan.done",
                "deploy.requested",
                "deploy.done",
                "deploy.done"))
        .body("events[0].actor", equalTo("ada"))
        .body("events[1].status", equalTo("SUCCEEDED"))
        .body("events[2].status", equalTo("PASSED"))
        .body("events[3].environment", equalTo("dev"))
        .body("events[3].actor", equalTo("scan-service"))
        .body("events[4].environment", equalTo("dev"))
        .body("events[4].status", equalTo("SUCCEEDED"))
        .body("events[4].problem", nullValue())
        .body("events[4].event.data.namespace", equalTo("shop-dev"))
        .body("events[0].event.data.message", equalTo(SampleEvents.commitReceived().message()));
  }

  @Test
  void recordsWrittenBeforeACrashAndDeliveredAgainAddNoRow() {
    List<Envelope<?>> run = sampleRun();
    run.forEach(e -> KafkaTestClient.send(EventType.forCeType(e.type()).orElseThrow().topic(), e));
    String runId = run.get(0).runId();
    awaitRunEvents(runId, 5);
    long rowsBefore = AuditTestData.count("SELECT count(*) FROM audit_events");

    // The very records Kafka holds (same topic, partition, offset, event id), delivered again as
    // they would be to an instance that wrote them and was killed before committing its offsets.
    ConsumerRecords<byte[], byte[]> redelivered = recordsOf(runId);
    assertThat(redelivered.count()).isEqualTo(5);
    consumer.ingest(redelivered);
    consumer.ingest(redelivered);

    assertThat(
            AuditTestData.count("SELECT count(*) FROM audit_events WHERE run_id = '" + runId + "'"))
        .isEqualTo(5);
    assertThat(AuditTestData.count("SELECT count(*) FROM audit_events")).isEqualTo(rowsBefore);
    given().auth().oauth2(viewer).get("/api/audit/verify").then().body("status", equalTo("OK"));
  }

  @Test
  void theSameRecordTwiceInOneBatchIsStoredOnce() {
    Envelope<?> event = SampleEvents.event(EventType.COMMIT_RECEIVED, null);
    long offset = System.nanoTime();
    var record = AuditTestData.kafkaRecord("test.batch-repeat", 0, offset, event);
    TopicPartition partition = new TopicPartition("test.batch-repeat", 0);

    consumer.ingest(new ConsumerRecords<>(Map.of(partition, List.of(record, record)), Map.of()));

    assertThat(
            AuditTestData.count(
                "SELECT count(*) FROM audit_events WHERE run_id = '" + event.runId() + "'"))
        .isEqualTo(1);
  }

  @Test
  void aNewTopicThatFollowsTheNamingIsAuditedWithoutAnyChange() {
    String topic = "release.published";
    SlipwayInfrastructure.createTopics(List.of(topic));
    Envelope<Map<String, String>> event =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/release-service",
            "dev.slipway.release.published.v1",
            OffsetDateTime.now(ZoneOffset.UTC),
            "shop",
            UUID.randomUUID().toString(),
            null,
            SampleEvents.COMMIT,
            Map.of("version", "1.4.0"));

    KafkaTestClient.send(topic, event);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .get("/api/audit/runs/" + event.runId())
                    .then()
                    .statusCode(200)
                    .body("events", hasSize(1))
                    .body("events[0].topic", equalTo(topic))
                    .body("events[0].problem", nullValue())
                    .body("events[0].event.data.version", equalTo("1.4.0")));
  }

  @Test
  void malformedRecordGoesToTheDeadLetterTopicAndBothAreAudited() {
    String key = "broken-" + UUID.randomUUID();
    KafkaTestClient.sendRaw(
        "commit.received", key, "{\"provider\":42}".getBytes(StandardCharsets.UTF_8));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .queryParam("application", key)
                    .queryParam("order", "asc")
                    .get("/api/audit/events")
                    .then()
                    .body("items", hasSize(2)));

    JsonPath rows =
        given()
            .auth()
            .oauth2(viewer)
            .queryParam("application", key)
            .queryParam("order", "asc")
            .get("/api/audit/events")
            .then()
            .extract()
            .jsonPath();
    Map<String, Object> original = rows.getMap("items.find { it.topic == 'commit.received' }");
    Map<String, Object> deadLetter =
        rows.getMap("items.find { it.topic == 'commit.received.dlq' }");
    assertThat(original).isNotNull();
    assertThat(deadLetter).isNotNull();
    assertThat((String) original.get("problem")).contains("ce_id is missing").contains("provider");
    assertThat(rows.getInt("items.find { it.topic == 'commit.received' }.event.data.provider"))
        .isEqualTo(42);
    Map<String, String> headers =
        rows.getMap("items.find { it.topic == 'commit.received.dlq' }.headers");
    assertThat(headers.get("dead-letter-reason")).contains("provider");
    assertThat(headers.get("dead-letter-topic")).isEqualTo("commit.received");
    assertThat(headers.get("dead-letter-partition"))
        .isEqualTo(String.valueOf(original.get("partition")));
    assertThat(headers.get("dead-letter-offset")).isEqualTo(String.valueOf(original.get("offset")));
  }

  private void awaitRunEvents(String runId, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .get("/api/audit/runs/" + runId)
                    .then()
                    .statusCode(200)
                    .body("events", hasSize(count)));
  }

  private static List<Envelope<?>> sampleRun() {
    Envelope<?> commit = SampleEvents.event(EventType.COMMIT_RECEIVED, null);
    Envelope<?> build = SampleEvents.event(EventType.BUILD_DONE, commit);
    Envelope<?> scan = SampleEvents.event(EventType.SCAN_DONE, build);
    Envelope<?> request = SampleEvents.event(EventType.DEPLOY_REQUESTED, scan);
    Envelope<?> deploy = SampleEvents.event(EventType.DEPLOY_DONE, request);
    return List.of(commit, build, scan, request, deploy);
  }

  /**
   * The very records of a run as Kafka holds them, fetched at the positions the log stored for them
   * (each checked to carry the run's id): reading whole topics until a timeout took 3 s a topic.
   */
  private static ConsumerRecords<byte[], byte[]> recordsOf(String runId) {
    Map<TopicPartition, Set<Long>> wanted = new HashMap<>();
    try (Connection c = AuditTestData.admin();
        PreparedStatement sql =
            c.prepareStatement(
                "SELECT topic, kafka_partition, kafka_offset FROM audit_events WHERE run_id = ?")) {
      sql.setString(1, runId);
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          wanted
              .computeIfAbsent(
                  new TopicPartition(rows.getString(1), rows.getInt(2)), p -> new HashSet<>())
              .add(rows.getLong(3));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> kafka =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SlipwayInfrastructure.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      kafka.assign(wanted.keySet());
      wanted.forEach((p, offsets) -> kafka.seek(p, Collections.min(offsets)));
      int expected = wanted.values().stream().mapToInt(Set::size).sum();
      int found = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (found < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : kafka.poll(Duration.ofMillis(200))) {
          TopicPartition p = new TopicPartition(r.topic(), r.partition());
          if (wanted.get(p).contains(r.offset())) {
            assertThat(KafkaTestClient.header(r, "ce_runid")).isEqualTo(runId);
            byPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
            found++;
          }
        }
      }
    }
    return new ConsumerRecords<>(byPartition, Map.of());
  }
}
