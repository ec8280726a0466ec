package dev.slipway.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
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

  private static String problemOf(EventFormatException e) {
    String prefix = "field '" + e.field() + "' ";
    return e.getMessage().startsWith(prefix)
        ? e.getMessage().substring(prefix.length())
        : e.getMessage();
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
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }
}
