package dev.slipway.audit.content;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a JSON document in one pass of Jackson's streaming parser and writes its {@link
 * CanonicalJson} form as the tokens go by, keeping the few members asked for; another reader (a
 * data binding that checks the document against a contract) may read the same pass. No tree is
 * built and nothing is serialized again. It parses as {@link CanonicalJson#parse(byte[])} does (the
 * same parser and settings, one root value, what follows it ignored) and writes what {@link
 * CanonicalJson#append} writes for that tree, byte for byte. A document this pass does not mirror
 * exactly (an object with a repeated key, whose tree keeps only the last value; a kept array with
 * an element that is not text) or that the other reader refuses is left to the caller to read as a
 * tree ({@link NeedsTree}).
 */
public final class CanonicalJsonReader {

  /**
   * A member of the root object to keep: {@code name}, or {@code name} inside the root's object
   * member {@code parent}.
   *
   * @param parent the root member the kept member is in; null for a member of the root itself
   * @param name the member's name
   * @param texts whether the member is an array of texts (kept as a list) rather than a text
   */
  public record Member(String parent, String name, boolean texts) {}

  /** Another reader of the same pass: reads one value from {@code parser}, or throws. */
  @FunctionalInterface
  public interface ReadAlong {
    void read(JsonParser parser) throws IOException;
  }

  /** The document is one this pass does not mirror exactly, or the other reader refused it. */
  public static final class NeedsTree extends Exception {
    NeedsTree(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * What a read found.
   *
   * @param canonical the canonical form as UTF-8; null when the document is empty or has a fault
   * @param fault what keeps the document from being stored as it is, as {@link CanonicalJson#fault}
   *     finds it; null when nothing does
   * @param kept the members asked for, in the order asked: a String, a list of Strings, or null
   *     (absent, or of another type; all null unless the root is an object and there is no fault)
   */
  public record Read(byte[] canonical, CanonicalJson.Fault fault, Object[] kept) {

    /** Whether the document held no value at all ({@link CanonicalJson#parse} gives no tree). */
    public boolean empty() {
      return canonical == null && fault == null;
    }

    /** The kept member {@code i} if it is text, else null. */
    public String text(int i) {
      return kept[i] instanceof String s ? s : null;
    }

    /** The kept member {@code i} if it is an array of texts, else null. */
    @SuppressWarnings("unchecked")
    public List<String> texts(int i) {
      return kept[i] instanceof List<?> l ? (List<String>) l : null;
    }
  }

  /** Whose members an object's are. */
  private static final int ROOT = 0;

  private static final int KEPT_PARENT = 1;
  private static final int OTHER = 2;

  /** Each thread's reader: its buffers are reused, read after read. */
  private static final ThreadLocal<CanonicalJsonReader> READER =
      ThreadLocal.withInitial(CanonicalJsonReader::new);

  private final Utf8Output out = new Utf8Output(8192);

  // The members of the objects open, each object's from its frame's base: key, start, end.
  private String[] keys = new String[64];
  private int[] starts = new int[64];
  private int[] ends = new int[64];
  private int members;

  // The containers open, innermost last.
  private boolean[] isObject = new boolean[16];
  private int[] base = new int[16];
  private int[] regionStart = new int[16];
  private boolean[] sorted = new boolean[16];
  private int[] count = new int[16];
  private int[] level = new int[16];
  private String[] parentKey = new String[16];
  private int[] keep = new int[16];
  private String[] key = new String[16];
  private int[] keyStart = new int[16];
  private int depth;

  /** Names seen lately and their written form ({@code "name":}), by identity. */
  private static final int NAMES = 512;

  private final String[] names = new String[NAMES];
  private final byte[][] written = new byte[NAMES][];

  private int[] order = new int[64];
  private byte[] scratch = new byte[4096];
  private List<Member> wanted;
  private Object[] kept;
  private List<String> keptTexts;
  private boolean unstorable;
  private boolean outOfRange;
  private String notMirrored;
  private boolean done;

  private CanonicalJsonReader() {}

  /**
   * Reads {@code json}, keeping {@code wanted}; {@code along}, when not null, reads the same pass.
   *
   * @throws IOException when it is not JSON, as {@link CanonicalJson#parse(byte[])} would throw
   * @throws NeedsTree when only a tree reads it exactly, or {@code along} threw
   */
  public static Read read(byte[] json, List<Member> wanted, ReadAlong along)
      throws IOException, NeedsTree {
    CanonicalJsonReader reader = READER.get();
    reader.start(wanted);
    try (JsonParser parser = CanonicalJson.mapper().createParser(json)) {
      Tee tee = reader.new Tee(parser);
      if (along != null) {
        try {
          along.read(tee);
        } catch (IOException | RuntimeException e) {
          throw new NeedsTree("the document was refused: " + e);
        }
      }
      while (!reader.done && tee.nextToken() != null) {
        // Each token is written as it passes.
      }
      if (!reader.done) {
        if (reader.out.length() == 0) {
          return new Read(null, null, reader.kept);
        }
        throw new NeedsTree("the document ended early");
      }
    }
    if (reader.notMirrored != null) {
      throw new NeedsTree(reader.notMirrored);
    }
    CanonicalJson.Fault fault =
        reader.outOfRange
            ? CanonicalJson.Fault.NUMBER_OUT_OF_RANGE
            : reader.unstorable ? CanonicalJson.Fault.UNSTORABLE_TEXT : null;
    if (fault != null) {
      return new Read(null, fault, new Object[wanted.size()]);
    }
    return new Read(reader.out.toByteArray(), null, reader.kept);
  }

  private void start(List<Member> wanted) {
    out.reset();
    members = 0;
    depth = 0;
    this.wanted = wanted;
    kept = new Object[wanted.size()];
    keptTexts = null;
    unstorable = false;
    outOfRange = false;
    notMirrored = null;
    done = false;
  }

  /** The parser both readers read: every token that passes is written. */
  private final class Tee extends JsonParserDelegate {

    Tee(JsonParser parser) {
      super(parser);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken token = delegate.nextToken();
      if (token != null && !done) {
        token(token, delegate);
      }
      return token;
    }

    @Override
    public JsonToken nextValue() throws IOException {
      JsonToken token = nextToken();
      return token == JsonToken.FIELD_NAME ? nextToken() : token;
    }

    /** Skipped values are written too: each of their tokens is read through {@link #nextToken}. */
    @Override
    public JsonParser skipChildren() throws IOException {
      JsonToken current = delegate.currentToken();
      if (current != JsonToken.START_OBJECT && current != JsonToken.START_ARRAY) {
        return this;
      }
      int open = 1;
      while (open > 0) {
        JsonToken token = nextToken();
        if (token == null) {
          return this;
        }
        if (token.isStructStart()) {
          open++;
        } else if (token.isStructEnd()) {
          open--;
        }
      }
      return this;
    }
  }

  /** Writes {@code token}, the current token of {@code parser}. */
  private void token(JsonToken token, JsonParser parser) throws IOException {
    switch (token) {
      case FIELD_NAME -> name(parser.currentName());
      case START_OBJECT, START_ARRAY -> open(token == JsonToken.START_OBJECT);
      case END_OBJECT -> closeObject();
      case END_ARRAY -> closeArray();
      case VALUE_STRING -> string(parser);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
        beforeValue(false);
        switch (token) {
          case VALUE_NUMBER_INT -> integer(parser);
          case VALUE_NUMBER_FLOAT -> decimal(parser.getDecimalValue());
          case VALUE_TRUE -> out.ascii("true");
          case VALUE_FALSE -> out.ascii("false");
          default -> out.ascii("null");
        }
        afterValue();
      }
      default -> {
        notMirrored = "a " + token + " token";
        done = true;
      }
    }
  }

  private void name(String name) {
    int f = depth - 1;
    if (count[f]++ > 0) {
      out.ascii(',');
    }
    key[f] = name;
    keyStart[f] = out.length();
    // The parser hands out one String per distinct name: its written form is kept by identity.
    int slot = System.identityHashCode(name) & (NAMES - 1);
    if (names[slot] == name) {
      out.raw(written[slot], 0, written[slot].length);
    } else {
      int from = out.length();
      out.string(name).ascii(':');
      if (CanonicalJson.storable(name)) {
        names[slot] = name;
        written[slot] = out.copy(from, out.length());
      } else {
        unstorable = true;
      }
    }
    keep[f] = level[f] == OTHER ? -1 : wantedIndex(level[f], parentKey[f], name);
  }

  /** Before a value: the comma of an array, and whether a kept array holds only texts. */
  private void beforeValue(boolean text) {
    if (depth == 0) {
      return;
    }
    int f = depth - 1;
    if (!isObject[f]) {
      if (count[f]++ > 0) {
        out.ascii(',');
      }
      if (keep[f] >= 0 && !text) {
        // The tree's reading writes such an element in Jackson's own form, not the canonical one.
        notMirrored = "a kept array holds an element that is not text";
      }
    }
  }

  /** After a value: an object's member is complete, or the document is. */
  private void afterValue() {
    if (depth == 0) {
      done = true;
      return;
    }
    int f = depth - 1;
    if (isObject[f]) {
      if (members == keys.length) {
        keys = Arrays.copyOf(keys, members * 2);
        starts = Arrays.copyOf(starts, members * 2);
        ends = Arrays.copyOf(ends, members * 2);
      }
      String name = key[f];
      sorted[f] &= members == base[f] || keys[members - 1].compareTo(name) < 0;
      keys[members] = name;
      starts[members] = keyStart[f];
      ends[members] = out.length();
      members++;
    }
  }

  private void string(JsonParser parser) throws IOException {
    beforeValue(true);
    char[] chars = parser.getTextCharacters();
    int from = parser.getTextOffset();
    int to = from + parser.getTextLength();
    unstorable |= !storable(chars, from, to);
    out.string(chars, from, to);
    if (depth > 0) {
      int f = depth - 1;
      if (keep[f] >= 0) {
        if (isObject[f] && !wanted.get(keep[f]).texts()) {
          kept[keep[f]] = parser.getText();
        } else if (!isObject[f]) {
          keptTexts.add(parser.getText());
        }
      }
    }
    afterValue();
  }

  private void open(boolean object) {
    beforeValue(false);
    int outer = depth - 1;
    int keptArray = -1;
    int memberLevel = OTHER;
    String parent = null;
    if (depth == 0) {
      memberLevel = object ? ROOT : OTHER;
    } else if (isObject[outer] && level[outer] == ROOT) {
      if (object && isParent(key[outer])) {
        memberLevel = KEPT_PARENT;
        parent = key[outer];
      } else if (!object && keep[outer] >= 0 && wanted.get(keep[outer]).texts()) {
        keptArray = keep[outer];
      }
    }
    if (depth == isObject.length) {
      grow();
    }
    int f = depth++;
    isObject[f] = object;
    base[f] = members;
    regionStart[f] = out.length() + 1;
    sorted[f] = true;
    count[f] = 0;
    level[f] = memberLevel;
    parentKey[f] = parent;
    keep[f] = keptArray;
    if (keptArray >= 0) {
      keptTexts = new ArrayList<>();
    }
    out.ascii(object ? '{' : '[');
  }

  private void closeObject() {
    int f = depth - 1;
    if (!sorted[f]) {
      reorder(base[f], regionStart[f]);
    }
    members = base[f];
    depth--;
    out.ascii('}');
    afterValue();
  }

  private void closeArray() {
    int f = depth - 1;
    if (keep[f] >= 0) {
      kept[keep[f]] = keptTexts;
      keptTexts = null;
    }
    depth--;
    out.ascii(']');
    afterValue();
  }

  private void grow() {
    int n = isObject.length * 2;
    isObject = Arrays.copyOf(isObject, n);
    base = Arrays.copyOf(base, n);
    regionStart = Arrays.copyOf(regionStart, n);
    sorted = Arrays.copyOf(sorted, n);
    count = Arrays.copyOf(count, n);
    level = Arrays.copyOf(level, n);
    parentKey = Arrays.copyOf(parentKey, n);
    keep = Arrays.copyOf(keep, n);
    key = Arrays.copyOf(key, n);
    keyStart = Arrays.copyOf(keyStart, n);
  }

  private int wantedIndex(int level, String parent, String name) {
    for (int i = 0; i < wanted.size(); i++) {
      Member m = wanted.get(i);
      if (m.name().equals(name)
          && (level == ROOT ? m.parent() == null : parent.equals(m.parent()))) {
        return i;
      }
    }
    return -1;
  }

  private boolean isParent(String name) {
    for (Member m : wanted) {
      if (name.equals(m.parent())) {
        return true;
      }
    }
    return false;
  }

  /**
   * An integer as the tree holds it: int or long written as it is, a BigInteger of fewer than 3000
   * bits as its digits, a longer one as a bounded decimal.
   */
  private void integer(JsonParser parser) throws IOException {
    JsonParser.NumberType type = parser.getNumberType();
    if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
      out.number(parser.getLongValue());
      return;
    }
    BigInteger value = parser.getBigIntegerValue();
    if (value.bitLength() < 3000) {
      out.ascii(value.toString());
    } else {
      decimal(new BigDecimal(value));
    }
  }

  private void decimal(BigDecimal value) {
    if (!CanonicalJson.inRange(value)) {
      outOfRange = true;
      out.ascii("0");
      return;
    }
    out.ascii(value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString());
  }

  /**
   * Moves the members {@code first..members} (written from {@code regionStart} to the end of the
   * output, comma-separated) into key order, as the tree's writer orders them. A repeated key is
   * left to the tree, which keeps only its last value.
   */
  private void reorder(int first, int regionStart) {
    int n = members - first;
    if (order.length < n) {
      order = new int[Math.max(n, order.length * 2)];
    }
    for (int i = 0; i < n; i++) {
      order[i] = first + i;
    }
    // Objects are small: an insertion sort without allocation.
    for (int a = 1; a < n; a++) {
      int member = order[a];
      String name = keys[member];
      int b = a - 1;
      int compared;
      while (b >= 0 && (compared = keys[order[b]].compareTo(name)) >= 0) {
        if (compared == 0) {
          notMirrored = "a repeated key";
        }
        order[b + 1] = order[b];
        b--;
      }
      order[b + 1] = member;
    }
    int regionEnd = out.length();
    int length = regionEnd - regionStart;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, scratch.length * 2)];
    }
    byte[] bytes = out.buffer();
    System.arraycopy(bytes, regionStart, scratch, 0, length);
    int at = regionStart;
    for (int i = 0; i < n; i++) {
      int member = order[i];
      if (i > 0) {
        bytes[at++] = ',';
      }
      int memberLength = ends[member] - starts[member];
      System.arraycopy(scratch, starts[member] - regionStart, bytes, at, memberLength);
      at += memberLength;
    }
  }

  private static boolean storable(char[] chars, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = chars[i];
      if (c == 0) {
        return false;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(chars[i + 1])) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }
}
