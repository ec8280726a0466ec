package dev.slipway.audit.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.content.CanonicalJson;
import dev.slipway.audit.content.CanonicalJsonReader;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns any Kafka record into an {@link AuditRecord}, never failing and never blocking: a record
 * that breaks its contract is kept as the event it is, with the problem named; a record that cannot
 * be kept faithfully as an event at all (text that is not UTF-8, an ambiguous repeated CloudEvents
 * attribute, a number beyond what can be stored and read back, anything unforeseen) is quarantined:
 * kept raw, in base64, with the reason. Every value that goes to an indexed column is bounded; a
 * longer one stays in the event only and the problem says so.
 */
public final class AuditRecordReader {

  /** Longest id, type, source, subject, run id, commit or status kept in a column, in bytes. */
  public static final int MAX_COLUMN_BYTES = 256;

  /** Longest actor kept in a column, in bytes (a list of approvers). */
  public static final int MAX_ACTOR_BYTES = 1024;

  private static final int MAX_PROBLEM_CHARS = 2000;
  private static final String CE_PREFIX = "ce_";
  private static final String CONTENT_TYPE = "content-type";
  private static final List<String> REQUIRED =
      List.of("id", "source", "type", "time", "subject", EventJson.RUN_ID);
  private static final OffsetDateTime EARLIEST = OffsetDateTime.parse("1970-01-01T00:00:00Z");
  private static final OffsetDateTime LATEST = OffsetDateTime.parse("9999-12-31T23:59:59Z");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private AuditRecordReader() {}

  /** Why a record cannot be kept as an event. */
  private static final class Quarantine extends RuntimeException {
    Quarantine(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The audit form of one record of the topic incarnation {@code topicId}. */
  public static AuditRecord read(ConsumerRecord<byte[], byte[]> record, String topicId) {
    try {
      return event(record, topicId, false);
    } catch (CanonicalJsonReader.NeedsTree e) {
      return readAsTree(record, topicId);
    } catch (Quarantine q) {
      return quarantine(record, topicId, q.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      return quarantine(record, topicId, "the record cannot be read: " + e);
    }
  }

  /**
   * {@link #read} as it was before the value was read in one streaming pass: through a Jackson tree
   * of the value, written again in canonical form. Kept for values the streaming pass does not
   * mirror exactly (see {@link CanonicalJsonReader}), and as the reference the streaming reading is
   * tested against.
   */
  static AuditRecord readAsTree(ConsumerRecord<byte[], byte[]> record, String topicId) {
    try {
      return event(record, topicId, true);
    } catch (Quarantine q) {
      return quarantine(record, topicId, q.getMessage());
    } catch (CanonicalJsonReader.NeedsTree | RuntimeException | StackOverflowError e) {
      return quarantine(record, topicId, "the record cannot be read: " + e);
    }
  }

  /**
   * The record kept raw: key, value and headers in base64, the Kafka timestamp, and {@code reason}.
   */
  public static AuditRecord quarantine(
      ConsumerRecord<byte[], byte[]> record, String topicId, String reason) {
    ObjectNode raw = JSON.objectNode();
    raw.put("key_base64", base64(record.key()));
    raw.put("value_base64", base64(record.value()));
    ArrayNode headers = raw.putArray("headers");
    for (Header header : record.headers()) {
      ObjectNode h = headers.addObject();
      if (CanonicalJson.storable(header.key())) {
        h.put("name", header.key());
      } else {
        h.put("name_base64", base64(header.key().getBytes(StandardCharsets.UTF_8)));
      }
      h.put("value_base64", base64(header.value()));
    }
    raw.put("timestamp", record.timestamp());
    raw.put("timestampType", record.timestampType().name);
    ObjectNode event = JSON.objectNode();
    event.set("quarantined", raw);
    return AuditRecord.quarantined(
        record.topic(),
        topicId,
        record.partition(),
        record.offset(),
        kafkaTime(record.timestamp(), new ArrayList<>()),
        bounded("quarantined: " + reason),
        event);
  }

  private static AuditRecord event(
      ConsumerRecord<byte[], byte[]> record, String topicId, boolean asTree)
      throws CanonicalJsonReader.NeedsTree {
    List<String> problems = new ArrayList<>();
    ObjectNode event = JSON.objectNode();
    ObjectNode headers = JSON.objectNode();
    Map<String, List<byte[]>> byName = byName(record.headers().toArray());
    for (Map.Entry<String, List<byte[]>> header : byName.entrySet()) {
      String name = header.getKey();
      List<byte[]> values = header.getValue();
      boolean attribute = name.startsWith(CE_PREFIX) || name.equals(CONTENT_TYPE);
      if (attribute) {
        if (values.size() > 1) {
          throw new Quarantine(
              "the header " + name + " appears " + values.size() + " times: which is the event's?");
        }
        String value = values.get(0) == null ? null : text(values.get(0));
        if (values.get(0) != null && value == null) {
          throw new Quarantine("the header " + name + " is not UTF-8 text");
        }
        event.put(name.equals(CONTENT_TYPE) ? "datacontenttype" : name.substring(3), value);
      } else if (values.size() == 1) {
        headers.set(name, headerValue(values.get(0)));
      } else {
        ArrayNode all = headers.putArray(name);
        values.forEach(v -> all.add(headerValue(v)));
      }
    }
    String key = null;
    if (record.key() != null) {
      key = text(record.key());
      if (key == null) {
        throw new Quarantine("the record key is not UTF-8 text");
      }
    }
    String contractTopic =
        Topics.isDlq(record.topic())
            ? record.topic().substring(0, record.topic().length() - Topics.DLQ_SUFFIX.length())
            : record.topic();
    String type = text(event, "type");
    Optional<EventType<?>> contract = EventType.forTopic(contractTopic);
    Data data =
        asTree
            ? treeData(record.value(), problems)
            : streamedData(
                record.value(),
                contract.filter(expected -> type == null || type.equals(expected.ceType())),
                problems);
    if (data != null) {
      event.set("data", data.node());
    } else if (record.value() != null) {
      event.put("data_base64", base64(record.value()));
    }
    for (String attribute : REQUIRED) {
      if (!event.hasNonNull(attribute)) {
        problems.add("ce_" + attribute + " is missing");
      }
    }
    contract.ifPresent(expected -> checkContract(expected, type, data, record.value(), problems));
    OffsetDateTime eventTime = time(text(event, "time"), problems);
    if (eventTime == null) {
      eventTime = kafkaTime(record.timestamp(), problems);
    }
    String subject = text(event, "subject");
    String commitSha = text(event, EventJson.COMMIT_SHA);
    return new AuditRecord(
        record.topic(),
        topicId,
        record.partition(),
        record.offset(),
        key,
        column("ce_id", text(event, "id"), MAX_COLUMN_BYTES, problems),
        column("ce_type", type, MAX_COLUMN_BYTES, problems),
        column("ce_source", text(event, "source"), MAX_COLUMN_BYTES, problems),
        column(
            subject != null ? "ce_subject" : "the record key",
            subject != null ? subject : key,
            MAX_COLUMN_BYTES,
            problems),
        column("ce_runid", text(event, EventJson.RUN_ID), MAX_COLUMN_BYTES, problems),
        column("ce_causationid", text(event, EventJson.CAUSATION_ID), MAX_COLUMN_BYTES, problems),
        column(
            "the commit",
            commitSha != null ? commitSha : data == null ? null : data.text("commitSha"),
            MAX_COLUMN_BYTES,
            problems),
        column(
            "data.environment",
            data == null ? null : data.text("environment"),
            MAX_COLUMN_BYTES,
            problems),
        column("the actor", actor(contractTopic, data), MAX_ACTOR_BYTES, problems),
        column(
            "the status",
            firstText(data, "status", "verdict", "decision"),
            MAX_COLUMN_BYTES,
            problems),
        eventTime,
        false,
        problems.isEmpty() ? null : bounded(String.join("; ", problems)),
        event,
        headers.isEmpty() ? null : headers);
  }

  /**
   * The headers' values by name, names in the order they first appear, each name's values in order.
   */
  private static Map<String, List<byte[]>> byName(Header[] headers) {
    Map<String, List<byte[]>> byName = new LinkedHashMap<>(headers.length * 2);
    for (Header header : headers) {
      if (!CanonicalJson.storable(header.key())) {
        throw new Quarantine("a header name holds a NUL character");
      }
      List<byte[]> values = byName.get(header.key());
      if (values == null) {
        byName.put(header.key(), Collections.singletonList(header.value()));
      } else {
        if (values.size() == 1) {
          values = new ArrayList<>(values);
          byName.put(header.key(), values);
        }
        values.add(header.value());
      }
    }
    return byName;
  }

  /**
   * Who acted, as the producing service authenticated them: the pusher of a commit (the Git host's
   * account, or the JWT subject of a manual run), the run's actor for a build, the approvers of an
   * approved deploy, otherwise whoever requested it.
   */
  static String actor(String contractTopic, JsonNode data) {
    return actor(contractTopic, data == null ? null : new TreeData(data));
  }

  private static String actor(String contractTopic, Data data) {
    if (data == null) {
      return null;
    }
    return switch (contractTopic) {
      case Topics.COMMIT_RECEIVED -> data.text("actor");
      case Topics.BUILD_DONE -> data.textIn("run", "actor");
      case Topics.DEPLOY_REQUESTED -> {
        List<String> approvers = data.texts("approvers");
        if ("APPROVAL".equals(data.text("reason")) && approvers != null && !approvers.isEmpty()) {
          yield String.join(",", approvers);
        }
        yield data.text("requestedBy");
      }
      default -> firstText(data, "actor", "requestedBy");
    };
  }

  /** The members of the value the columns are read from (see {@link #actor} and {@link #event}). */
  private static final List<CanonicalJsonReader.Member> MEMBERS =
      List.of(
          new CanonicalJsonReader.Member(null, "environment", false),
          new CanonicalJsonReader.Member(null, "commitSha", false),
          new CanonicalJsonReader.Member(null, "status", false),
          new CanonicalJsonReader.Member(null, "verdict", false),
          new CanonicalJsonReader.Member(null, "decision", false),
          new CanonicalJsonReader.Member(null, "actor", false),
          new CanonicalJsonReader.Member(null, "requestedBy", false),
          new CanonicalJsonReader.Member(null, "reason", false),
          new CanonicalJsonReader.Member(null, "approvers", true),
          new CanonicalJsonReader.Member("run", "actor", false));

  /** A value that is JSON and can be stored as the event's data. */
  private interface Data {

    /** The event's {@code data}. */
    JsonNode node();

    /** The root object's member {@code name} if it is text. */
    String text(String name);

    /** The member {@code name} of the root object's object member {@code parent} if it is text. */
    String textIn(String parent, String name);

    /**
     * The root object's member {@code name} if it is an array: each element's text, or its JSON
     * when it is not text.
     */
    List<String> texts(String name);

    /**
     * Adds to {@code problems} how the value breaks the contract of {@code expected}, if it does.
     */
    void check(EventType<?> expected, byte[] value, List<String> problems);
  }

  /** The value as a Jackson tree. */
  private record TreeData(JsonNode node) implements Data {

    @Override
    public String text(String name) {
      return AuditRecordReader.text(node, name);
    }

    @Override
    public String textIn(String parent, String name) {
      return AuditRecordReader.text(node.get(parent), name);
    }

    @Override
    public List<String> texts(String name) {
      JsonNode array = node.get(name);
      if (array == null || !array.isArray()) {
        return null;
      }
      List<String> texts = new ArrayList<>();
      array.forEach(a -> texts.add(a.isTextual() ? a.textValue() : a.toString()));
      return texts;
    }

    @Override
    public void check(EventType<?> expected, byte[] value, List<String> problems) {
      try {
        EventJson.readPayload(node, expected.payloadType());
      } catch (EventFormatException e) {
        problems.add("data: " + e.getMessage());
      } catch (RuntimeException e) {
        problems.add("data does not match " + expected.ceType());
      }
    }
  }

  /**
   * The value read in one streaming pass: its canonical form and the {@link #MEMBERS}.
   *
   * @param read what the pass found
   * @param checked whether the pass also read the value as its contract's payload, successfully
   */
  private record StreamedData(CanonicalJsonReader.Read read, boolean checked) implements Data {

    @Override
    public JsonNode node() {
      return CanonicalJson.canonicalNode(read.canonical());
    }

    @Override
    public String text(String name) {
      return read.text(index(null, name));
    }

    @Override
    public String textIn(String parent, String name) {
      return read.text(index(parent, name));
    }

    @Override
    public List<String> texts(String name) {
      return read.texts(index(null, name));
    }

    @Override
    public void check(EventType<?> expected, byte[] value, List<String> problems) {
      if (!checked) {
        JsonNode tree;
        try {
          tree = CanonicalJson.parse(value);
        } catch (IOException unexpected) {
          throw new IllegalStateException("a value read once is read again", unexpected);
        }
        new TreeData(tree).check(expected, value, problems);
      }
    }

    private static int index(String parent, String name) {
      for (int i = 0; i < MEMBERS.size(); i++) {
        CanonicalJsonReader.Member m = MEMBERS.get(i);
        if (m.name().equals(name) && Objects.equals(m.parent(), parent)) {
          return i;
        }
      }
      throw new IllegalArgumentException(name + " is not read");
    }
  }

  /** The value as data, read as a tree. */
  private static Data treeData(byte[] value, List<String> problems) {
    if (value == null) {
      problems.add("value is missing");
      return null;
    }
    JsonNode data;
    try {
      data = CanonicalJson.parse(value);
    } catch (IOException e) {
      problems.add(NOT_JSON);
      return null;
    }
    if (data == null || data.isMissingNode()) {
      problems.add("value is empty");
      return null;
    }
    return stored(CanonicalJson.fault(data), problems) ? new TreeData(data) : null;
  }

  /**
   * The value as data, read in one streaming pass; the same outcome as {@link #treeData}. The pass
   * also reads the value as the payload of {@code contract}, if any: when that fails, the caller
   * reads the record as a tree, so the problem is worded as before.
   */
  private static Data streamedData(
      byte[] value, Optional<EventType<?>> contract, List<String> problems)
      throws CanonicalJsonReader.NeedsTree {
    if (value == null) {
      problems.add("value is missing");
      return null;
    }
    CanonicalJsonReader.Read read;
    try {
      read =
          CanonicalJsonReader.read(
              value,
              MEMBERS,
              contract
                  .<CanonicalJsonReader.ReadAlong>map(
                      expected ->
                          parser -> EventJson.mapper().readValue(parser, expected.payloadType()))
                  .orElse(null));
    } catch (IOException e) {
      problems.add(NOT_JSON);
      return null;
    }
    if (read.empty()) {
      problems.add("value is empty");
      return null;
    }
    return stored(read.fault(), problems) ? new StreamedData(read, contract.isPresent()) : null;
  }

  private static final String NOT_JSON = "value is not JSON; kept as data_base64";

  /**
   * Whether a value with {@code fault} is stored as data.
   *
   * @throws Quarantine when it cannot be stored as an event at all
   */
  private static boolean stored(CanonicalJson.Fault fault, List<String> problems) {
    if (fault == CanonicalJson.Fault.NUMBER_OUT_OF_RANGE) {
      throw new Quarantine(
          "the value holds a number with more than "
              + CanonicalJson.MAX_DIGITS
              + " digits or an exponent beyond ±"
              + CanonicalJson.MAX_SCALE
              + ", which cannot be stored and read back exactly");
    }
    if (fault == CanonicalJson.Fault.UNSTORABLE_TEXT) {
      problems.add("value holds a NUL character or an unpaired surrogate; kept as data_base64");
      return false;
    }
    return true;
  }

  private static void checkContract(
      EventType<?> expected, String type, Data data, byte[] value, List<String> problems) {
    if (type != null && !type.equals(expected.ceType())) {
      problems.add("ce_type is " + type + ", expected " + expected.ceType());
      return;
    }
    if (data != null) {
      data.check(expected, value, problems);
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

  /** The Kafka timestamp if it is a time PostgreSQL can hold, else now. */
  private static OffsetDateTime kafkaTime(long timestamp, List<String> problems) {
    if (timestamp >= 0 && timestamp <= LATEST.toInstant().toEpochMilli()) {
      return Instant.ofEpochMilli(timestamp).atOffset(ZoneOffset.UTC);
    }
    problems.add(
        "the Kafka timestamp " + timestamp + " is out of range; the time it was read is used");
    return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
  }

  /** {@code value} if it fits its column; else null, and a problem naming it. */
  private static String column(String name, String value, int maxBytes, List<String> problems) {
    // A UTF-16 unit is at most three UTF-8 bytes: most values are measured without encoding.
    if (value != null
        && value.length() * 3 > maxBytes
        && value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      problems.add(name + " is longer than " + maxBytes + " bytes; kept in the event only");
      return null;
    }
    return value;
  }

  private static JsonNode headerValue(byte[] value) {
    if (value == null) {
      return JSON.nullNode();
    }
    String text = text(value);
    return text != null ? JSON.textNode(text) : JSON.objectNode().put("base64", base64(value));
  }

  private static String firstText(Data data, String... fields) {
    if (data == null) {
      return null;
    }
    for (String field : fields) {
      String value = data.text(field);
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

  /** The UTF-8 text of {@code bytes}, or null when it is not UTF-8 or holds a NUL. */
  private static String text(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b <= 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // Most attributes: ASCII without NUL is UTF-8 as it is.
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.indexOf('\u0000') < 0 ? text : null;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String base64(byte[] bytes) {
    return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
  }

  /** {@code problem} as text PostgreSQL stores unchanged, at most a bounded length. */
  private static String bounded(String problem) {
    StringBuilder out = new StringBuilder(Math.min(problem.length(), MAX_PROBLEM_CHARS));
    for (int i = 0; i < problem.length() && out.length() < MAX_PROBLEM_CHARS - 2; i++) {
      char c = problem.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < problem.length()
          && Character.isLowSurrogate(problem.charAt(i + 1))) {
        out.append(c).append(problem.charAt(++i));
      } else if (c == 0 || Character.isSurrogate(c)) {
        out.append('\uFFFD');
      } else {
        out.append(c);
      }
    }
    return out.length() < problem.length() && out.length() >= MAX_PROBLEM_CHARS - 2
        ? out.append('…').toString()
        : out.toString();
  }
}
