package dev.slipway.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.content.CanonicalJson;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The value of a record read in one streaming pass gives the same row as the reading through a
 * Jackson tree it replaced ({@link AuditRecordReader#readAsTree}, the code as it was): every column
 * and the canonical content the log hashes and stores, byte for byte. Over the sample payload of
 * every event type (on its topic and its dead-letter topic, with members in another order and
 * another notation), crafted values at the edges of JSON, and random documents.
 */
class AuditRecordStreamingTest {

  private static final String TOPIC_ID = "5a0b9e8c-2a8e-4d5c-9f4e-0c2b1f7d3e11";
  private static final List<String> TOPICS =
      List.of(
          Topics.COMMIT_RECEIVED,
          Topics.BUILD_DONE,
          Topics.DEPLOY_REQUESTED,
          Topics.SCAN_DONE + Topics.DLQ_SUFFIX,
          "not.a.slipway.topic");

  @Test
  void everyEventTypeGivesTheRowOfTheTreeReading() {
    for (EventType<?> type : EventType.ALL) {
      byte[] payload = EventJson.writePayload(SampleEvents.payloadOf(type));
      JsonNode tree = CanonicalJson.parse(new String(payload, StandardCharsets.UTF_8));
      List<byte[]> notations =
          List.of(
              payload, bytes(reversed(tree).toPrettyString()), bytes(CanonicalJson.write(tree)));
      for (byte[] value : notations) {
        for (String topic : List.of(type.topic(), type.topic() + Topics.DLQ_SUFFIX)) {
          AuditRecord streamed = assertSameRow(topic, type.ceType(), value);
          assertThat(streamed.problem()).as("%s on %s", type.ceType(), topic).isNull();
          assertThat(streamed.event().get("data").isPojo())
              .as("%s is read in one streaming pass", type.ceType())
              .isTrue();
        }
      }
    }
  }

  @Test
  void samplesWithOtherOutcomesGiveTheRowOfTheTreeReading() {
    assertSameRow(
        Topics.BUILD_DONE,
        EventType.BUILD_DONE.ceType(),
        EventJson.writePayload(SampleEvents.failedBuild()));
    ObjectNode approval = EventJson.mapper().valueToTree(SampleEvents.deployRequested());
    approval.put("reason", "APPROVAL");
    approval.putArray("approvers").add("grace").add("linus");
    AuditRecord read =
        assertSameRow(
            Topics.DEPLOY_REQUESTED,
            EventType.DEPLOY_REQUESTED.ceType(),
            bytes(approval.toString()));
    assertThat(read.actor()).isEqualTo("grace,linus");
    approval.putArray("approvers").add("grace").add(7).addObject().put("b", 1).put("a", 2);
    assertSameRow(
        Topics.DEPLOY_REQUESTED, EventType.DEPLOY_REQUESTED.ceType(), bytes(approval.toString()));
  }

  @Test
  void valuesAtTheEdgesOfJsonGiveTheRowOfTheTreeReading() {
    List<String> values =
        List.of(
            "{}",
            "[]",
            "",
            "   ",
            "null",
            "true",
            "42",
            "\"text\"",
            "[1,{\"b\":2,\"a\":1},[]]",
            "not json",
            "{\"a\":1",
            "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}",
            "{\"b\":1,\"a\":2,\"b\":3}",
            "{\"x\":{\"b\":1,\"a\":2,\"b\":3}}",
            "{\"a\":1,\"a\":1}",
            "{\"n\":[0,-0,0.0,-0.0,1.50,1e2,1E+2,1e-2,-12.3400e3,0e10,123456789012345678901234]}",
            "{\"n\":[2147483648,-9223372036854775808,9223372036854775808,1.0e-400]}",
            "{\"n\":1" + "0".repeat(1200) + "}",
            "{\"n\":1" + "0".repeat(999) + "}",
            "{\"n\":1e1000}",
            "{\"n\":1e1001}",
            "{\"n\":1" + "0".repeat(5000) + "}",
            "{\"n\":1e2000000000}",
            "{\"n\":NaN}",
            "{\"s\":\"\\u0000\"}",
            "{\"\\u0000\":1}",
            "{\"s\":\"\\ud800\"}",
            "{\"s\":\"\\udc00x\"}",
            "{\"s\":\"\\ud83d\\ude00 \\u00e9 \\u4e2d \\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u001f \\u007f\"}",
            "{\"s\":\"é 中 😀\"}",
            "{\"\uffff\":1,\"😀\":2,\"é\":3,\"Z\":4,\"a\":5,\"\":6}",
            "{\"n\":[1,2],\"s\":\"\\u0000\",\"m\":1e2000}",
            "{\"environment\":5,\"status\":null,\"verdict\":\"PASSED\",\"run\":\"x\"}",
            "{\"run\":{\"actor\":3},\"actor\":[\"a\"],\"requestedBy\":\"me\"}",
            "{\"run\":{\"z\":{\"actor\":\"no\"},\"actor\":\"ada\"},\"commitSha\":\"abc\"}",
            "{\"approvers\":\"grace\",\"reason\":\"APPROVAL\",\"requestedBy\":\"x\"}",
            "{\"approvers\":[],\"reason\":\"APPROVAL\",\"requestedBy\":\"x\"}",
            "{\"approvers\":[\"a\\u0000\"],\"reason\":\"APPROVAL\"}",
            "{\"status\":\"" + "s".repeat(300) + "\"}",
            "[".repeat(900) + "]".repeat(900),
            "[".repeat(1200) + "]".repeat(1200));
    for (String value : values) {
      for (String topic : TOPICS) {
        assertSameRow(topic, "dev.slipway." + topic + ".v1", bytes(value));
      }
    }
  }

  @Test
  void bytesThatAreNotUtf8GiveTheRowOfTheTreeReading() {
    List<byte[]> values =
        List.of(
            new byte[] {'"', (byte) 0xc3, 0x28, '"'},
            new byte[] {'"', (byte) 0xc0, (byte) 0x80, '"'},
            new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'},
            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'},
            new byte[] {'{', '"', 'a', '"', ':', '"', 0x01, '"', '}'});
    for (byte[] value : values) {
      for (String topic : TOPICS) {
        assertSameRow(topic, null, value);
      }
    }
  }

  @Test
  void randomDocumentsGiveTheRowOfTheTreeReading() {
    Random random = new Random(22);
    for (int i = 0; i < 1500; i++) {
      JsonNode document = random(random, 0);
      String text = random.nextBoolean() ? document.toString() : document.toPrettyString();
      assertSameRow(TOPICS.get(i % TOPICS.size()), null, bytes(text));
    }
  }

  /** Asserts both readings give the same columns and content; returns the streamed one. */
  private static AuditRecord assertSameRow(String topic, String ceType, byte[] value) {
    ConsumerRecord<byte[], byte[]> record = record(topic, ceType, value);
    AuditRecord streamed = AuditRecordReader.read(record, TOPIC_ID);
    AuditRecord tree = AuditRecordReader.readAsTree(record, TOPIC_ID);
    String what = topic + ": " + new String(value, StandardCharsets.UTF_8);
    for (AuditColumn column : AuditColumn.BODY) {
      if (column.kind() != AuditColumn.Kind.JSON) {
        assertThat(column.of(streamed)).as("%s of %s", column, what).isEqualTo(column.of(tree));
      }
    }
    assertThat(content(streamed)).as(what).isEqualTo(content(tree));
    return streamed;
  }

  private static String content(AuditRecord record) {
    AuditContent.Body body = AuditContent.body(record);
    return new String(body.bytes(), 0, body.length(), StandardCharsets.UTF_8)
        + body.eventFrom()
        + ","
        + body.eventTo()
        + ","
        + body.headersFrom()
        + ","
        + body.headersTo();
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, String ceType, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", bytes("1.0"));
    headers.add("ce_id", bytes("id-1"));
    headers.add("ce_source", bytes("/slipway/test"));
    if (ceType != null) {
      headers.add("ce_type", bytes(ceType));
    }
    headers.add("ce_time", bytes("2026-03-01T10:00:00.123456789+02:00"));
    headers.add("ce_subject", bytes("shop"));
    headers.add("ce_runid", bytes("run-1"));
    headers.add("ce_commitsha", bytes(SampleEvents.COMMIT));
    headers.add("dead-letter-reason", bytes("a reason"));
    return AuditRecordReaderTest.record(topic, headers, value, 1_700_000_000_000L);
  }

  /** {@code node} with every object's members in reverse order. */
  private static JsonNode reversed(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
      ObjectNode copy = CanonicalJson.mapper().createObjectNode();
      for (int i = members.size() - 1; i >= 0; i--) {
        copy.set(members.get(i).getKey(), reversed(members.get(i).getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = CanonicalJson.mapper().createArrayNode();
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        copy.add(reversed(it.next()));
      }
      return copy;
    }
    return node;
  }

  private static final String[] KEYS = {
    "a",
    "b",
    "B",
    "ab",
    "é",
    "中",
    "😀",
    "\uffff",
    "",
    "status",
    "environment",
    "actor",
    "run",
    "approvers",
    "reason",
    "requestedBy",
    "commitSha",
    "verdict",
    "decision",
    "k\"q",
    "k\\n"
  };

  private static JsonNode random(Random random, int depth) {
    int kind = depth >= 5 ? 2 + random.nextInt(6) : random.nextInt(8);
    return switch (kind) {
      case 0 -> {
        ObjectNode object = CanonicalJson.mapper().createObjectNode();
        int n = random.nextInt(random.nextInt(10) == 0 ? 40 : 6);
        for (int i = 0; i < n; i++) {
          object.set(KEYS[random.nextInt(KEYS.length)], random(random, depth + 1));
        }
        yield object;
      }
      case 1 -> {
        ArrayNode array = CanonicalJson.mapper().createArrayNode();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          array.add(random(random, depth + 1));
        }
        yield array;
      }
      case 2 -> CanonicalJson.mapper().getNodeFactory().textNode(randomText(random));
      case 3 ->
          CanonicalJson.mapper()
              .getNodeFactory()
              .numberNode(random.nextLong() >> random.nextInt(64));
      case 4 ->
          CanonicalJson.mapper()
              .getNodeFactory()
              .numberNode(
                  new BigDecimal(BigInteger.valueOf(random.nextLong()), random.nextInt(40) - 20));
      case 5 ->
          CanonicalJson.mapper()
              .getNodeFactory()
              .numberNode(new BigInteger(random.nextInt(200) + 1, random));
      case 6 -> CanonicalJson.mapper().getNodeFactory().booleanNode(random.nextBoolean());
      default -> CanonicalJson.mapper().getNodeFactory().nullNode();
    };
  }

  private static String randomText(Random random) {
    String alphabet = "abc XYZ\"\\/\n\t\u0001\u007fé中😀\u2028";
    StringBuilder text = new StringBuilder();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      text.appendCodePoint(
          alphabet.codePointAt(
              alphabet.offsetByCodePoints(
                  0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
    }
    return text.toString();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
