package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.Person;
import dev.slipway.problem.InvalidInputException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads fields of a Git host's JSON payload by dotted path. A missing field, or one of the wrong
 * JSON type, is a 400 naming its path: a signed but hostile body never gets further.
 */
final class JsonPayload {

  /** Longest ref accepted; Git itself has no limit, every host stays far below it. */
  static final int MAX_REF = 1024;

  private static final Pattern ZERO_SHA = Pattern.compile("^0+$");
  private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final Pattern INDEXED = Pattern.compile("^(.+)\\[(\\d{1,6})]$");

  private JsonPayload() {}

  /**
   * The node at {@code path} (dotted names, with {@code [i]} for array elements, e.g. {@code
   * commits[2].author.name}), or empty when any step is absent, null or of another shape.
   */
  static Optional<JsonNode> at(JsonNode node, String path) {
    JsonNode current = node;
    for (String step : path.split("\\.")) {
      // Only a step ending in ']' can be indexed: the others (nearly all) skip the pattern, which
      // took 20 of the 48 samples of reading a GitHub push in a profile of the benchmark.
      Matcher indexed = step.endsWith("]") ? INDEXED.matcher(step) : null;
      boolean isIndexed = indexed != null && indexed.matches();
      String name = isIndexed ? indexed.group(1) : step;
      if (current == null || !current.isObject()) {
        return Optional.empty();
      }
      current = current.get(name);
      if (isIndexed) {
        int index = Integer.parseInt(indexed.group(2));
        current = current != null && current.isArray() ? current.get(index) : null;
      }
      if (current == null || current.isNull()) {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  /** The non-blank text at {@code path}. */
  static String text(JsonNode node, String path) {
    return wellFormed(rawText(node, path));
  }

  /** The text at {@code path}, which may be empty (a commit message can be). */
  static String textAllowingEmpty(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isTextual()) {
      throw new InvalidInputException("Field '" + path + "' must be a string.", path);
    }
    return wellFormed(value.asText());
  }

  /** The non-blank text at {@code path}, if present; a value of another type is a 400. */
  static Optional<String> optionalText(JsonNode node, String path) {
    Optional<JsonNode> value = at(node, path);
    if (value.isPresent() && !value.get().isTextual()) {
      throw new InvalidInputException("Field '" + path + "' must be a string.", path);
    }
    return value.map(JsonNode::asText).filter(s -> !s.isBlank()).map(JsonPayload::wellFormed);
  }

  private static String rawText(JsonNode node, String path) {
    JsonNode value = at(node, path).orElseThrow(() -> missing(path));
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidInputException("Field '" + path + "' must be a non-empty string.", path);
    }
    return value.asText();
  }

  /**
   * {@code text} with every unpaired surrogate (a JSON escape can produce one, no UTF-8 encoder
   * writes one) replaced by U+FFFD, so free text can always be written out again.
   */
  static String wellFormed(String text) {
    if (!hasUnpairedSurrogate(text)) {
      return text;
    }
    StringBuilder fixed = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        fixed.append(c).append(text.charAt(++i));
      } else {
        fixed.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return fixed.toString();
  }

  private static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** The boolean at {@code path}; {@code fallback} when absent. */
  static boolean bool(JsonNode node, String path, boolean fallback) {
    Optional<JsonNode> value = at(node, path);
    if (value.isPresent() && !value.get().isBoolean()) {
      throw new InvalidInputException("Field '" + path + "' must be true or false.", path);
    }
    return value.map(JsonNode::asBoolean).orElse(fallback);
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

  /** The array at {@code path}, empty when absent. */
  static JsonNode optionalArray(JsonNode node, String path) {
    return at(node, path).isPresent() ? array(node, path) : JsonNodeFactory.instance.arrayNode();
  }

  /** A full ref at {@code path}: {@code refs/...}, no control characters, bounded. */
  static String ref(JsonNode node, String path) {
    return checkedRef(rawText(node, path), path);
  }

  /** {@code ref} if Git could have written it: {@code refs/...}, no control characters, bounded. */
  static String checkedRef(String ref, String path) {
    if (!ref.startsWith("refs/")
        || hasUnpairedSurrogate(ref)
        || ref.length() > MAX_REF
        || CONTROL.matcher(ref).find()
        || ref.contains("..")) {
      throw new InvalidInputException(
          "Field '"
              + path
              + "' must be a Git ref such as refs/heads/main: starting with refs/, without control"
              + " characters or '..', at most "
              + MAX_REF
              + " characters.",
          path);
    }
    return ref;
  }

  /** A branch or tag name at {@code path} (Bitbucket sends names, not refs). */
  static String refName(JsonNode node, String path) {
    String name = rawText(node, path);
    if (hasUnpairedSurrogate(name)
        || name.length() > MAX_REF
        || CONTROL.matcher(name).find()
        || name.contains("..")) {
      throw new InvalidInputException(
          "Field '" + path + "' must be a branch or tag name without control characters.", path);
    }
    return name;
  }

  /** A full commit SHA (40 or 64 hex digits) at {@code path}, lower case. */
  static String sha(JsonNode node, String path) {
    return checkedSha(text(node, path), path);
  }

  /** {@code sha} in lower case if it is a full commit SHA. */
  static String checkedSha(String sha, String path) {
    String lower = sha.toLowerCase(Locale.ROOT);
    if (!SHA.matcher(lower).matches()) {
      throw new InvalidInputException(
          "Field '" + path + "' must be a full commit SHA (40 or 64 hex digits).", path);
    }
    return lower;
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
