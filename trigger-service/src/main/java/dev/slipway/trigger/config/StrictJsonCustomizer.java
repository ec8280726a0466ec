package dev.slipway.trigger.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.events.EventJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Makes the API's JSON strict: an unknown property is an error (a misspelt {@code webhook_secret}
 * must not silently keep a leaked secret), so is a key given twice, text where a number belongs or
 * the reverse, a fraction where a whole number belongs, and anything after the document.
 */
@Singleton
public class StrictJsonCustomizer implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.enable(
        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    EventJson.refuseScalarCoercion(mapper);
  }

  @Override
  public int priority() {
    // After Quarkus' own customizer, which applies quarkus.jackson.* defaults.
    return MINIMUM_PRIORITY;
  }
}
