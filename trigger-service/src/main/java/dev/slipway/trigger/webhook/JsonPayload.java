package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.Person;
import dev.slipway.trigger.problem.InvalidInputException;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads fields of a Git host's JSON payload by dotted path; a missing one is a 400 naming it. */
final class JsonPayload {

  private static final Pattern ZERO_SHA = Pattern.compile("^0+$");

  private JsonPayload() {}

  /** The body as a JSON object. */
  static JsonNode parse(byte[] body) {
    JsonNode root;
    try {
      root = EventJson.mapper().readTree(body);
    } catch (JacksonException e) {
      throw new InvalidInputException("The body is not valid JSON.", "(body)");
    } catch (IOException e) {
      throw new InvalidInputException("The body cannot be read.", "(body)");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("The body is not a JSON object.", "(body)");
    }
    return root;
  }

  /** The node at {@code path}, or empty when any step is absent or null. */
  static Optional<JsonNode> at(JsonNode node, String path) {
    JsonNode current = node;
    for (String step : path.split("\\.")) {
      current = current == null ? null : current.get(step);
      if (current == null || current.isNull()) {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  /** The non-blank text at {@code path}. */
  static String text(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidInputException("Field '" + path + "' must be a non-empty string.", path);
    }
    return value.asText();
  }

  /** The text at {@code path}, which may be empty (a commit message can be). */
  static String textAllowingEmpty(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isTextual()) {
      throw new InvalidInputException("Field '" + path + "' must be a string.", path);
    }
    return value.asText();
  }

  /** The non-blank text at {@code path}, if present. */
  static Optional<String> optionalText(JsonNode node, String path) {
    return at(node, path)
        .filter(JsonNode::isTextual)
        .map(JsonNode::asText)
        .filter(s -> !s.isBlank());
  }

  /** The object at {@code path}. */
  static JsonNode object(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isObject()) {
      throw new InvalidInputException("Field '" + path + "' must be an object.", path);
    }
    return value;
  }

  /** The array at {@code path}. */
  static JsonNode array(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isArray()) {
      throw new InvalidInputException("Field '" + path + "' must be an array.", path);
    }
    return value;
  }

  /** Whether {@code sha} is Git's all-zero object id, which marks a created or deleted ref. */
  static boolean isZeroSha(String sha) {
    return ZERO_SHA.matcher(sha).matches();
  }

  /** A person whose display name is the first non-blank of {@code names}. */
  static Person person(String path, String email, String username, String... names) {
    for (String name : names) {
      if (name != null && !name.isBlank()) {
        try {
          return new Person(name, blankToNull(email), blankToNull(username));
        } catch (EventFormatException e) {
          break;
        }
      }
    }
    throw new InvalidInputException("Field '" + path + "' must be a non-empty string.", path);
  }

  static InvalidInputException missing(String path) {
    return new InvalidInputException("Field '" + path + "' is required.", path);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
