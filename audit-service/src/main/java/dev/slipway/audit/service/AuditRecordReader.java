package dev.slipway.audit.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.AuditRecord;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns any Kafka record into an {@link AuditRecord}, never failing: a record that breaks its
 * contract is kept as it came, with the problem named, so malformed records and dead letters are
 * audited like every other record.
 */
public final class AuditRecordReader {

  private static final String CE_PREFIX = "ce_";
  private static final String CONTENT_TYPE = "content-type";
  private static final List<String> REQUIRED =
      List.of("id", "source", "type", "time", "subject", EventJson.RUN_ID);
  private static final OffsetDateTime EARLIEST = OffsetDateTime.parse("1970-01-01T00:00:00Z");
  private static final OffsetDateTime LATEST = OffsetDateTime.parse("9999-12-31T23:59:59Z");

  private AuditRecordReader() {}

  /** The audit form of one record. */
  public static AuditRecord read(ConsumerRecord<byte[], byte[]> record) {
    List<String> problems = new ArrayList<>();
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    ObjectNode headers = JsonNodeFactory.instance.objectNode();
    for (Header header : record.headers()) {
      String value = header.value() == null ? null : safeText(header.value());
      String name = safeText(header.key().getBytes(StandardCharsets.UTF_8));
      if (name.startsWith(CE_PREFIX)) {
        event.put(name.substring(CE_PREFIX.length()), value);
      } else if (name.equals(CONTENT_TYPE)) {
        event.put("datacontenttype", value);
      } else {
        headers.put(name, value);
      }
    }
    JsonNode data = data(record.value(), problems);
    if (data != null) {
      event.set("data", data);
    } else if (record.value() != null) {
      event.put("data_base64", Base64.getEncoder().encodeToString(record.value()));
    }
    for (String attribute : REQUIRED) {
      if (!event.hasNonNull(attribute)) {
        problems.add("ce_" + attribute + " is missing");
      }
    }
    String contractTopic =
        Topics.isDlq(record.topic())
            ? record.topic().substring(0, record.topic().length() - Topics.DLQ_SUFFIX.length())
            : record.topic();
    String type = text(event, "type");
    EventType.forTopic(contractTopic)
        .ifPresent(expected -> checkContract(expected, type, data, problems));
    OffsetDateTime eventTime = time(text(event, "time"), problems);
    if (eventTime == null) {
      long timestamp = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
      eventTime = Instant.ofEpochMilli(timestamp).atOffset(ZoneOffset.UTC);
    }
    String key = record.key() == null ? null : safeText(record.key());
    String subject = text(event, "subject");
    String commitSha = text(event, EventJson.COMMIT_SHA);
    return new AuditRecord(
        record.topic(),
        record.partition(),
        record.offset(),
        key,
        text(event, "id"),
        type,
        text(event, "source"),
        subject != null ? subject : key,
        text(event, EventJson.RUN_ID),
        text(event, EventJson.CAUSATION_ID),
        commitSha != null ? commitSha : text(data, "commitSha"),
        text(data, "environment"),
        firstText(data, "actor", "requestedBy"),
        firstText(data, "status", "verdict"),
        eventTime,
        problems.isEmpty() ? null : String.join("; ", problems),
        event,
        headers.isEmpty() ? null : headers);
  }

  private static JsonNode data(byte[] value, List<String> problems) {
    if (value == null) {
      problems.add("value is missing");
      return null;
    }
    try {
      JsonNode data = CanonicalJson.parse(value);
      if (data == null || data.isMissingNode()) {
        problems.add("value is empty");
        return null;
      }
      if (!CanonicalJson.storable(data)) {
        problems.add("value holds a NUL character or an unpaired surrogate; kept as data_base64");
        return null;
      }
      return data;
    } catch (IOException e) {
      problems.add("value is not JSON; kept as data_base64");
      return null;
    }
  }

  private static void checkContract(
      EventType<?> expected, String type, JsonNode data, List<String> problems) {
    if (type != null && !type.equals(expected.ceType())) {
      problems.add("ce_type is " + type + ", expected " + expected.ceType());
      return;
    }
    if (data != null) {
      try {
        EventJson.readPayload(data, expected.payloadType());
      } catch (EventFormatException e) {
        problems.add("data: " + e.getMessage());
      } catch (RuntimeException e) {
        problems.add("data does not match " + expected.ceType());
      }
    }
  }

  private static OffsetDateTime time(String value, List<String> problems) {
    if (value == null) {
      return null;
    }
    try {
      OffsetDateTime time = OffsetDateTime.parse(value).truncatedTo(ChronoUnit.MICROS);
      if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
        problems.add("ce_time is out of range: " + value);
        return null;
      }
      return time.withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      problems.add("ce_time is not an RFC 3339 timestamp: " + value);
      return null;
    }
  }

  private static String firstText(JsonNode node, String... fields) {
    for (String field : fields) {
      String value = text(node, field);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /** UTF-8 text that PostgreSQL can store: invalid bytes and NUL become U+FFFD. */
  private static String safeText(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
  }
}
