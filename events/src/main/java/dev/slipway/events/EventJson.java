package dev.slipway.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * JSON form of the event payloads and of whole events (CloudEvents structured mode). Unknown fields
 * are ignored so producers can add fields; a missing required field or a value of the wrong type is
 * an {@link EventFormatException} that names the field.
 */
public final class EventJson {

  /** The CloudEvents spec version Slipway writes. */
  public static final String SPEC_VERSION = "1.0";

  /** Content type of every payload. */
  public static final String CONTENT_TYPE = "application/json";

  /** Names of the CloudEvents extensions Slipway sets. */
  public static final String RUN_ID = "runid";

  public static final String CAUSATION_ID = "causationid";
  public static final String COMMIT_SHA = "commitsha";

  private static final ObjectMapper MAPPER = newMapper();

  private EventJson() {}

  /** The mapper behind this class, for code that embeds payloads in larger documents. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Serializes a payload. */
  public static byte[] writePayload(Object payload) {
    try {
      return MAPPER.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + payload.getClass().getName(), e);
    }
  }

  /** Reads a payload of {@code type}. */
  public static <T> T readPayload(byte[] json, Class<T> type) {
    if (json == null || json.length == 0) {
      throw new EventFormatException("data", "is empty");
    }
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw formatError(e);
    }
  }

  /** Reads a payload of {@code type} from an already parsed tree. */
  public static <T> T readPayload(JsonNode json, Class<T> type) {
    try {
      return MAPPER.treeToValue(json, type);
    } catch (IOException e) {
      throw formatError(e);
    }
  }

  /**
   * Serializes a whole event as a CloudEvents 1.0 JSON document (structured mode): the form in
   * which services keep events in their outbox until the relay publishes them. Written in one pass
   * (no intermediate tree): every service writes one per outcome, trigger-service one per push.
   */
  public static byte[] writeEvent(Envelope<?> event) {
    return writeStructured(event).json();
  }

  /**
   * A whole event as {@link #writeEvent} writes it, with the length of its {@code data} member: the
   * Kafka record's value once the relay sends the event in binary mode.
   *
   * @param json the structured-mode document
   * @param dataBytes bytes of {@code data} in it, as {@link #writePayload} would write the payload
   */
  public record StructuredEvent(byte[] json, int dataBytes) {}

  /**
   * Serializes a whole event once, as {@link #writeEvent}, and measures its payload on the way: a
   * producer that bounds its records by the payload's size needs no second serialization.
   */
  public static StructuredEvent writeStructured(Envelope<?> event) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(512);
        JsonGenerator json = MAPPER.getFactory().createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("specversion", SPEC_VERSION);
      json.writeStringField("id", event.id());
      json.writeStringField("source", event.source());
      json.writeStringField("type", event.type());
      json.writeStringField("time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.time()));
      json.writeStringField("subject", event.subject());
      json.writeStringField("datacontenttype", CONTENT_TYPE);
      json.writeStringField(RUN_ID, event.runId());
      if (event.causationId() != null) {
        json.writeStringField(CAUSATION_ID, event.causationId());
      }
      if (event.commitSha() != null) {
        json.writeStringField(COMMIT_SHA, event.commitSha());
      }
      json.writeFieldName("data");
      json.flush();
      int dataStart = bytes.size();
      MAPPER.writeValue(json, event.data());
      json.flush();
      // Less the ':' the generator writes before the value (this mapper never indents).
      int dataBytes = bytes.size() - dataStart - 1;
      json.writeEndObject();
      json.flush();
      return new StructuredEvent(bytes.toByteArray(), dataBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a CloudEvents 1.0 JSON document of any Slipway event type, e.g. from an outbox. */
  public static Envelope<?> readAnyEvent(byte[] json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw formatError(e);
    }
    if (node == null || !node.isObject()) {
      throw new EventFormatException("(event)", "must be a JSON object");
    }
    String type = text(node, "type");
    EventType<?> eventType =
        EventType.forCeType(type)
            .orElseThrow(() -> new EventFormatException("type", "is unknown: " + type));
    return readEvent(json, eventType);
  }

  /** Reads a CloudEvents 1.0 JSON document whose {@code type} must be {@code expected}'s. */
  public static <T> Envelope<T> readEvent(byte[] json, EventType<T> expected) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw formatError(e);
    }
    if (node == null || !node.isObject()) {
      throw new EventFormatException("(event)", "must be a JSON object");
    }
    String type = text(node, "type");
    if (!expected.ceType().equals(type)) {
      throw new EventFormatException("type", "is " + type + ", expected " + expected.ceType());
    }
    JsonNode data = node.get("data");
    if (data == null || data.isNull()) {
      throw new EventFormatException("data", "is required");
    }
    T payload;
    try {
      payload = readPayload(data, expected.payloadType());
    } catch (EventFormatException e) {
      throw new EventFormatException("data." + e.field(), problemOf(e), e);
    }
    return new Envelope<>(
        text(node, "id"),
        text(node, "source"),
        type,
        time(node),
        text(node, "subject"),
        text(node, RUN_ID),
        optionalText(node, CAUSATION_ID),
        optionalText(node, COMMIT_SHA),
        payload);
  }

  private static String problemOf(EventFormatException e) {
    String prefix = "field '" + e.field() + "' ";
    return e.getMessage().startsWith(prefix)
        ? e.getMessage().substring(prefix.length())
        : e.getMessage();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new EventFormatException(field, "is required");
    }
    if (!value.isTextual()) {
      throw new EventFormatException(field, "must be a string");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : text(node, field);
  }

  private static OffsetDateTime time(JsonNode node) {
    String value = text(node, "time");
    try {
      return OffsetDateTime.parse(value);
    } catch (RuntimeException e) {
      throw new EventFormatException("time", "is not an RFC 3339 timestamp: " + value, e);
    }
  }

  private static EventFormatException formatError(IOException e) {
    if (e instanceof ValueInstantiationException vie
        && vie.getCause() instanceof EventFormatException cause) {
      String at = pathOf(vie);
      String field = at.isEmpty() ? cause.field() : at + "." + cause.field();
      return new EventFormatException(field, problemOf(cause), e);
    }
    if (e instanceof InvalidFormatException ife) {
      return new EventFormatException(
          pathOf(ife), "has an invalid value '" + ife.getValue() + "'", e);
    }
    if (e instanceof MismatchedInputException mie && !pathOf(mie).isEmpty()) {
      String expected =
          mie.getTargetType() == null ? "another type" : mie.getTargetType().getSimpleName();
      return new EventFormatException(pathOf(mie), "has the wrong type, expected " + expected, e);
    }
    if (e instanceof JacksonException) {
      return new EventFormatException("(body)", "is not a valid JSON object: " + e.getMessage(), e);
    }
    throw new UncheckedIOException(e);
  }

  private static String pathOf(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .filter(Objects::nonNull)
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static ObjectMapper newMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    // A number where text is expected (or the reverse) is a producer bug, not something to guess.
    refuseScalarCoercion(mapper);
    return mapper;
  }

  /**
   * Makes {@code mapper} refuse to convert between JSON's scalar types: text where a number or a
   * boolean belongs, a number or a boolean where text belongs, a fraction where a whole number
   * belongs. Events and every strict API read JSON this way.
   */
  public static void refuseScalarCoercion(ObjectMapper mapper) {
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
  }
}
