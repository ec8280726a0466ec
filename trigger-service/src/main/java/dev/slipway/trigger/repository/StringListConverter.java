package dev.slipway.trigger.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.EventJson;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;

/** Stores a list of ref globs as a JSON array in a text column. */
@Converter
public class StringListConverter implements AttributeConverter<List<String>, String> {

  private static final TypeReference<List<String>> TYPE = new TypeReference<>() {};

  @Override
  public String convertToDatabaseColumn(List<String> values) {
    try {
      return EventJson.mapper().writeValueAsString(values == null ? List.of() : values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<String> convertToEntityAttribute(String json) {
    try {
      return json == null ? List.of() : List.copyOf(EventJson.mapper().readValue(json, TYPE));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable ref filters in the registry", e);
    }
  }
}
