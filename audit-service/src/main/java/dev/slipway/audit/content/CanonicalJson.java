package dev.slipway.audit.content;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.POJONode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
          // Integers are read exactly without it: as int, long or BigInteger by their size.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNumberLength(MAX_NUMBER_LENGTH).build());
  }

  private CanonicalJson() {}

  /** Parses JSON exactly (fractions as BigDecimal, integers by their size: nothing is rounded). */
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
    Utf8Output out = new Utf8Output(256);
    append(node, out);
    return new String(out.buffer(), 0, out.length(), StandardCharsets.UTF_8);
  }

  /**
   * A JSON value already in canonical form, as a node of a tree: {@link #append} writes its bytes
   * as they are, and Jackson writes it as raw JSON.
   */
  public static JsonNode canonicalNode(byte[] canonical) {
    return JsonNodeFactory.instance.pojoNode(new Canonical(canonical));
  }

  /** The bytes of a value in canonical form, carried in a tree by {@link #canonicalNode}. */
  private static final class Canonical implements JsonSerializable {
    private final byte[] utf8;

    Canonical(byte[] utf8) {
      this.utf8 = utf8;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeRawValue(new String(utf8, StandardCharsets.UTF_8));
    }

    @Override
    public void serializeWithType(
        JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
        throws IOException {
      serialize(gen, serializers);
    }

    @Override
    public String toString() {
      return new String(utf8, StandardCharsets.UTF_8);
    }
  }

  /** What keeps a JSON value from being stored as it is, if anything. */
  public enum Fault {
    /** A number beyond the stored bounds ({@link #inRange(BigDecimal)}). */
    NUMBER_OUT_OF_RANGE,
    /** Text PostgreSQL cannot store unchanged ({@link #storable(String)}). */
    UNSTORABLE_TEXT
  }

  /**
   * The first fault of {@code node} in one walk, a number out of range before unstorable text; null
   * when it can be stored as it is.
   */
  public static Fault fault(JsonNode node) {
    Fault found = null;
    if (node.isNumber()) {
      return inRange(node) ? null : Fault.NUMBER_OUT_OF_RANGE;
    } else if (node.isTextual()) {
      return storable(node.textValue()) ? null : Fault.UNSTORABLE_TEXT;
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        Fault child = fault(field.getValue());
        if (child == Fault.NUMBER_OUT_OF_RANGE) {
          return child;
        }
        if (found == null) {
          found = storable(field.getKey()) ? child : Fault.UNSTORABLE_TEXT;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        Fault child = fault(element);
        if (child == Fault.NUMBER_OUT_OF_RANGE) {
          return child;
        }
        found = found == null ? child : found;
      }
    }
    return found;
  }

  /** Whether every number in {@code node} is within the stored bounds. */
  public static boolean inRange(JsonNode node) {
    if (node.isNumber()) {
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        return true;
      }
      if (node.isBigInteger() && node.bigIntegerValue().bitLength() < 3000) {
        // Fewer than 904 digits: within the bounds whatever its trailing zeros.
        return true;
      }
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

  /**
   * Writes the canonical form of {@code node}; null is JSON {@code null}. The node's type is asked
   * once (each {@code isX()} is a virtual call of its own).
   */
  public static void append(JsonNode node, Utf8Output out) {
    if (node == null) {
      out.ascii("null");
      return;
    }
    switch (node.getNodeType()) {
      case OBJECT -> appendObject(node, out);
      case ARRAY -> {
        out.ascii('[');
        boolean first = true;
        for (JsonNode element : node) {
          if (!first) {
            out.ascii(',');
          }
          first = false;
          append(element, out);
        }
        out.ascii(']');
      }
      case STRING -> out.string(node.textValue());
      case NUMBER -> appendNumber(node, out);
      case BOOLEAN -> out.ascii(node.booleanValue() ? "true" : "false");
      case NULL, MISSING -> out.ascii("null");
      case POJO -> {
        if (((POJONode) node).getPojo() instanceof Canonical canonical) {
          out.raw(canonical.utf8, 0, canonical.utf8.length);
        } else {
          out.string(node.asText());
        }
      }
      default -> out.string(node.asText());
    }
  }

  /**
   * Members in key order (UTF-16 code units, {@link String#compareTo}), each value taken with its
   * key rather than looked up again by it.
   */
  @SuppressWarnings("unchecked")
  private static void appendObject(JsonNode node, Utf8Output out) {
    int n = node.size();
    Map.Entry<String, JsonNode>[] members = new Map.Entry[n];
    boolean sorted = true;
    int i = 0;
    for (Map.Entry<String, JsonNode> member : node.properties()) {
      members[i] = member;
      sorted &= i == 0 || members[i - 1].getKey().compareTo(member.getKey()) < 0;
      i++;
    }
    if (!sorted) {
      if (n <= 32) {
        // Objects are small: an insertion sort without allocation beats the general sort.
        for (int a = 1; a < n; a++) {
          Map.Entry<String, JsonNode> member = members[a];
          String key = member.getKey();
          int b = a - 1;
          while (b >= 0 && members[b].getKey().compareTo(key) > 0) {
            members[b + 1] = members[b];
            b--;
          }
          members[b + 1] = member;
        }
      } else {
        Arrays.sort(members, Map.Entry.comparingByKey());
      }
    }
    out.ascii('{');
    for (int k = 0; k < n; k++) {
      if (k > 0) {
        out.ascii(',');
      }
      out.string(members[k].getKey()).ascii(':');
      append(members[k].getValue(), out);
    }
    out.ascii('}');
  }

  /**
   * Writes a number in plain notation without trailing zeros.
   *
   * @throws IllegalArgumentException for a number outside the stored bounds, whose plain form could
   *     not be written in bounded memory
   */
  private static void appendNumber(JsonNode number, Utf8Output out) {
    if (number.isIntegralNumber() && number.canConvertToLong()) {
      out.number(number.longValue());
    } else if (number.isBigInteger() && number.bigIntegerValue().bitLength() < 3000) {
      out.ascii(number.bigIntegerValue().toString());
    } else {
      BigDecimal value = number.decimalValue();
      if (!inRange(value)) {
        throw new IllegalArgumentException("number out of the stored range");
      }
      out.ascii(value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString());
    }
  }
}
