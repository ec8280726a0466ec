package dev.slipway.audit.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

/**
 * The one text form of a JSON value that the log hashes: object keys sorted, no whitespace, numbers
 * in plain notation without trailing zeros. The log stores exactly this text (in {@code json}
 * columns), and the form is the same for any notation of the same values, so anyone can recompute
 * it from an export, whatever its JSON writer did to key order and numbers.
 *
 * <p>Numbers are bounded ({@link #inRange}): at most {@value #MAX_DIGITS} significant digits and a
 * decimal exponent within ±{@value #MAX_SCALE}. Outside that a number's plain form could be
 * gigabytes ({@code 1e2000000000}); such a value is never stored as JSON, so every stored row reads
 * back and canonicalizes in bounded time and memory.
 */
public final class CanonicalJson {

  /** Most significant digits a stored JSON number may have. */
  public static final int MAX_DIGITS = 1000;

  /** Largest magnitude of a stored JSON number's decimal exponent (its BigDecimal scale). */
  public static final int MAX_SCALE = 1000;

  /** Longest number literal read: a bounded number as PostgreSQL prints it back, and more. */
  private static final int MAX_NUMBER_LENGTH = 4 * MAX_DIGITS;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNumberLength(MAX_NUMBER_LENGTH).build());
  }

  private CanonicalJson() {}

  /** Parses JSON exactly (numbers as BigDecimal / BigInteger, so nothing is rounded). */
  public static JsonNode parse(byte[] json) throws IOException {
    return MAPPER.readTree(json);
  }

  /** Parses JSON text read back from the database. */
  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON cannot be read", e);
    }
  }

  /** The mapper behind this class. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The canonical text of {@code node}; null is {@code null}. */
  public static String write(JsonNode node) {
    StringBuilder out = new StringBuilder(256);
    append(node, out);
    return out.toString();
  }

  /** Whether every number in {@code node} is within the stored bounds. */
  public static boolean inRange(JsonNode node) {
    if (node.isNumber()) {
      return inRange(node.decimalValue());
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (!inRange(child)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether {@code value} is within the stored bounds, whatever its notation: {@code 1e1000} and
   * the 1001-digit integer PostgreSQL prints for it are the same value.
   */
  public static boolean inRange(BigDecimal value) {
    if (value.signum() == 0) {
      return true;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.precision() <= MAX_DIGITS && Math.abs((long) stripped.scale()) <= MAX_SCALE;
  }

  /**
   * Whether every string of {@code node} can be stored and read back unchanged: PostgreSQL's text
   * refuses the NUL character, and UTF-8 cannot encode an unpaired surrogate.
   */
  public static boolean storable(JsonNode node) {
    if (node.isTextual()) {
      return storable(node.textValue());
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (!storable(field.getKey()) || !storable(field.getValue())) {
          return false;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (!storable(element)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether a text column or a JSON string can hold {@code text} unchanged. */
  public static boolean storable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Appends the canonical form of {@code node}; null is JSON {@code null}. */
  public static void append(JsonNode node, StringBuilder out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.append("null");
    } else if (node.isObject()) {
      appendObject(node, out);
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        append(node.get(i), out);
      }
      out.append(']');
    } else if (node.isTextual()) {
      appendString(node.textValue(), out);
    } else if (node.isNumber()) {
      appendNumber(node.decimalValue(), out);
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else {
      appendString(node.asText(), out);
    }
  }

  /** Members in key order (UTF-16 code units, {@link String#compareTo}). */
  @SuppressWarnings("unchecked")
  private static void appendObject(JsonNode node, StringBuilder out) {
    Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
    boolean sorted = true;
    for (int i = 1; i < members.length && sorted; i++) {
      sorted = members[i - 1].getKey().compareTo(members[i].getKey()) < 0;
    }
    if (!sorted) {
      Arrays.sort(members, Map.Entry.comparingByKey());
    }
    out.append('{');
    for (int i = 0; i < members.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      appendString(members[i].getKey(), out);
      out.append(':');
      append(members[i].getValue(), out);
    }
    out.append('}');
  }

  /** Appends a JSON string; null is JSON {@code null}. */
  public static void appendString(String value, StringBuilder out) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    int plainFrom = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(value, plainFrom, i);
      plainFrom = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    out.append(value, plainFrom, value.length()).append('"');
  }

  /**
   * Appends a number in plain notation without trailing zeros.
   *
   * @throws IllegalArgumentException for a number outside the stored bounds, whose plain form could
   *     not be written in bounded memory
   */
  public static void appendNumber(BigDecimal value, StringBuilder out) {
    if (!inRange(value)) {
      throw new IllegalArgumentException("number out of the stored range");
    }
    out.append(value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString());
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();
}
