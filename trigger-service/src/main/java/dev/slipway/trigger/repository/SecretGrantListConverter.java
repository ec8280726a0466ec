package dev.slipway.trigger.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.BuildSettings;
import dev.slipway.events.EventJson;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;

/** Stores secret grants as JSON text, in the shape they travel in commit.received. */
@Converter
public class SecretGrantListConverter
    implements AttributeConverter<List<BuildSettings.SecretGrant>, String> {

  private static final TypeReference<List<BuildSettings.SecretGrant>> TYPE =
      new TypeReference<>() {};

  @Override
  public String convertToDatabaseColumn(List<BuildSettings.SecretGrant> values) {
    try {
      return EventJson.mapper().writeValueAsString(values == null ? List.of() : values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<BuildSettings.SecretGrant> convertToEntityAttribute(String json) {
    try {
      return json == null ? List.of() : List.copyOf(EventJson.mapper().readValue(json, TYPE));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable secret grants in the registry", e);
    }
  }
}
