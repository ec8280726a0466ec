package dev.slipway.trigger.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventJson;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;

/**
 * Stores an environment chain as JSON text, in the same shape as it travels in commit.received, so
 * the registry and the event contract cannot drift apart.
 */
@Converter
public class EnvironmentListConverter implements AttributeConverter<List<EnvironmentSpec>, String> {

  private static final TypeReference<List<EnvironmentSpec>> TYPE = new TypeReference<>() {};

  @Override
  public String convertToDatabaseColumn(List<EnvironmentSpec> values) {
    try {
      return EventJson.mapper().writeValueAsString(values == null ? List.of() : values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<EnvironmentSpec> convertToEntityAttribute(String json) {
    try {
      return json == null ? List.of() : List.copyOf(EventJson.mapper().readValue(json, TYPE));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable environment chain in the registry", e);
    }
  }
}
