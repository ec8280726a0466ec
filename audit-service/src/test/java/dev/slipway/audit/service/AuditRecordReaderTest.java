package dev.slipway.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.AuditRecord;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Crafted records: each is stored (as an event with its problem, or quarantined), none throws. */
class AuditRecordReaderTest {

  private static final String TOPIC_ID = "5a0b9e8c-2a8e-4d5c-9f4e-0c2b1f7d3e11";
  private static final String LONG = "x".repeat(3000);

  @Test
  void aNumberWhosePlainFormIsGigabytesIsQuarantinedRaw() {
    byte[] value = "{\"durationMs\":1e2000000000}".getBytes(StandardCharsets.UTF_8);

    AuditRecord read = AuditRecordReader.read(record(headers(), value, 0), TOPIC_ID);

    assertThat(read.quarantined()).isTrue();
    assertThat(read.problem()).startsWith("quarantined: ").contains("number");
    assertThat(read.event().at("/quarantined/value_base64").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(value));
    assertThat(read.eventId()).isNull();
    assertThat(read.topicId()).isEqualTo(TOPIC_ID);
  }

  @Test
  void aNumberPostgresqlCannotHoldIsQuarantined() {
    AuditRecord read =
        AuditRecordReader.read(
            record(headers(), "{\"n\":1e131072}".getBytes(StandardCharsets.UTF_8), 0), TOPIC_ID);

    assertThat(read.quarantined()).isTrue();
  }

  @Test
  void attributesTooLongToIndexStayInTheEventOnly() {
    RecordHeaders headers = headers();
    headers.remove("ce_id");
    headers.remove("ce_subject");
    headers.remove("ce_runid");
    headers.add("ce_id", bytes(LONG));
    headers.add("ce_subject", bytes(LONG));
    headers.add("ce_runid", bytes(LONG));

    AuditRecord read = AuditRecordReader.read(record(headers, payload(), 0), TOPIC_ID);

    assertThat(read.quarantined()).isFalse();
    assertThat(read.eventId()).isNull();
    assertThat(read.application()).isNull();
    assertThat(read.runId()).isNull();
    assertThat(read.problem())
        .contains("ce_id is longer than 256 bytes")
        .contains("ce_subject is longer than 256 bytes")
        .contains("ce_runid is longer than 256 bytes");
    assertThat(read.event().get("id").asText()).isEqualTo(LONG);
  }

  @Test
  void aKafkaTimestampOutOfRangeGivesWayToTheTimeOfReading() {
    RecordHeaders headers = headers();
    headers.remove("ce_time");

    AuditRecord read = AuditRecordReader.read(record(headers, payload(), Long.MAX_VALUE), TOPIC_ID);

    assertThat(read.quarantined()).isFalse();
    assertThat(read.eventTime()).isAfter(OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1));
    assertThat(read.problem()).contains("Kafka timestamp " + Long.MAX_VALUE + " is out of range");
  }

  @Test
  void aRepeatedCloudEventsAttributeIsAmbiguousSoTheRecordIsQuarantined() {
    RecordHeaders headers = headers();
    headers.add("ce_id", bytes("another-id"));

    AuditRecord read = AuditRecordReader.read(record(headers, payload(), 0), TOPIC_ID);

    assertThat(read.quarantined()).isTrue();
    assertThat(read.problem()).contains("ce_id appears 2 times");
    assertThat(read.event().at("/quarantined/headers").size()).isEqualTo(headers.toArray().length);
  }

  @Test
  void aRepeatedOtherHeaderKeepsEveryValue() {
    RecordHeaders headers = headers();
    headers.add("traceparent", bytes("first"));
    headers.add("traceparent", new byte[] {(byte) 0xff, 0x00});

    AuditRecord read = AuditRecordReader.read(record(headers, payload(), 0), TOPIC_ID);

    assertThat(read.quarantined()).isFalse();
    assertThat(read.headers().get("traceparent").get(0).asText()).isEqualTo("first");
    assertThat(read.headers().get("traceparent").get(1).get("base64").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0x00}));
  }

  @Test
  void textThatIsNotUtf8IsNeverGuessedAt() {
    RecordHeaders headers = headers();
    headers.remove("ce_source");
    headers.add("ce_source", new byte[] {(byte) 0xc3, 0x28});

    AuditRecord read = AuditRecordReader.read(record(headers, payload(), 0), TOPIC_ID);

    assertThat(read.quarantined()).isTrue();
    assertThat(read.problem()).contains("ce_source is not UTF-8 text");
  }

  @Test
  void theActorIsWhoTheProducerAuthenticated() {
    var approval =
        EventJson.mapper()
            .createObjectNode()
            .put("reason", "APPROVAL")
            .put("requestedBy", "deploy-service");
    approval.putArray("approvers").add("grace").add("linus");
    var build = EventJson.mapper().valueToTree(SampleEvents.buildDone());

    assertThat(AuditRecordReader.actor("deploy.requested", approval)).isEqualTo("grace,linus");
    assertThat(AuditRecordReader.actor("build.done", build)).isEqualTo("ada");
    assertThat(
            AuditRecordReader.actor(
                "commit.received", EventJson.mapper().valueToTree(SampleEvents.commitReceived())))
        .isEqualTo("ada");
  }

  private static RecordHeaders headers() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_id", bytes("id-1"));
    headers.add("ce_source", bytes("/slipway/test"));
    headers.add("ce_type", bytes(EventType.COMMIT_RECEIVED.ceType()));
    headers.add("ce_time", bytes("2026-03-01T10:00:00Z"));
    headers.add("ce_subject", bytes("shop"));
    headers.add("ce_runid", bytes("run-1"));
    return headers;
  }

  private static byte[] payload() {
    return EventJson.writePayload(SampleEvents.commitReceived());
  }

  private static ConsumerRecord<byte[], byte[]> record(
      RecordHeaders headers, byte[] value, long timestamp) {
    return record("commit.received", headers, value, timestamp);
  }

  /**
   * A record of {@code topic} as the consumer hands it over (partition 0, offset 7, key "shop").
   */
  static ConsumerRecord<byte[], byte[]> record(
      String topic, RecordHeaders headers, byte[] value, long timestamp) {
    return new ConsumerRecord<>(
        topic,
        0,
        7,
        timestamp,
        TimestampType.CREATE_TIME,
        -1,
        value.length,
        bytes("shop"),
        value,
        headers,
        Optional.empty());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
