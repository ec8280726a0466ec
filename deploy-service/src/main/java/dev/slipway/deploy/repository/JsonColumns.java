package dev.slipway.deploy.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.EventJson;
import java.util.List;

/**
 * JSONB columns written and read with the events' own mapper, so records round-trip exactly. The
 * SQL casts parameters as {@code $n::text::jsonb}: the reactive client would otherwise send a Java
 * string for a jsonb parameter as a JSON string value, not as the document it holds.
 */
final class JsonColumns {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private JsonColumns() {}

  /** {@code value} as JSON text, or null. */
  static String write(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /** JSON text as {@code type}, or null. */
  static <T> T read(String json, Class<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return EventJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored " + type.getSimpleName() + " is unreadable: " + e.getOriginalMessage(), e);
    }
  }

  /** A JSON array of strings. */
  static List<String> strings(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return EventJson.mapper().readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored list is unreadable", e);
    }
  }
}
