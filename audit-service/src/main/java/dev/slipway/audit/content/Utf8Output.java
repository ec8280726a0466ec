package dev.slipway.audit.content;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer the canonical content is written into as UTF-8, so the bytes that are hashed
 * are the bytes that are stored: no intermediate text, no second encoding. In JSON strings only the
 * quote, the backslash and control characters are escaped (control characters as a six-character
 * escape of lowercase hex); everything else is written as it is.
 */
public final class Utf8Output {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes;
  private int length;

  /** Where a String's characters are copied to be written, reused string after string. */
  private char[] chars = new char[0];

  public Utf8Output(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  /** Forgets what was written, to write again from the start of the same buffer. */
  public void reset() {
    length = 0;
  }

  /** Bytes written so far. */
  public int length() {
    return length;
  }

  /** The buffer itself: its first {@link #length} bytes are what was written. */
  public byte[] buffer() {
    return bytes;
  }

  /** A copy of what was written from {@code from} to {@code to}. */
  public byte[] copy(int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }

  /** A copy of everything written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  /** One ASCII character. */
  public Utf8Output ascii(char c) {
    ensure(1);
    bytes[length++] = (byte) c;
    return this;
  }

  /** Text known to be ASCII (numbers, literals). */
  public Utf8Output ascii(String text) {
    int n = text.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) text.charAt(i);
    }
    return this;
  }

  /** A decimal integer. */
  public Utf8Output number(long value) {
    if (value == Long.MIN_VALUE) {
      return ascii(Long.toString(value));
    }
    ensure(20);
    if (value < 0) {
      bytes[length++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long rest = value / 10; rest > 0; rest /= 10) {
      digits++;
    }
    for (int i = length + digits - 1; i >= length; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length += digits;
    return this;
  }

  /** A JSON string: quoted, escaped, UTF-8; an unpaired surrogate becomes {@code ?} as in Java. */
  public Utf8Output string(String value) {
    int n = value.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, Math.max(64, chars.length * 2))];
    }
    value.getChars(0, n, chars, 0);
    return string(chars, 0, n);
  }

  /** {@link #string(String)} of the characters {@code value[from, to)}. */
  public Utf8Output string(char[] value, int from, int to) {
    // At most six bytes a char (a control character's escape), the quotes: checked once.
    ensure(6 * (to - from) + 2);
    byte[] out = bytes;
    int at = length;
    out[at++] = '"';
    // Most text is ASCII that needs no escape: copied in a loop of its own, which compiles tight.
    int plain = plainAscii(value, from, to);
    for (int i = from; i < plain; i++) {
      out[at++] = (byte) value[i];
    }
    for (int i = plain; i < to; i++) {
      char c = value[i];
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          out[at++] = (byte) c;
        } else if (c == '"' || c == '\\') {
          out[at++] = '\\';
          out[at++] = (byte) c;
        } else {
          out[at++] = '\\';
          out[at++] = 'u';
          out[at++] = '0';
          out[at++] = '0';
          out[at++] = HEX[c >> 4];
          out[at++] = HEX[c & 0xf];
        }
      } else if (c < 0x800) {
        out[at++] = (byte) (0xc0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(value[i + 1])) {
        int cp = Character.toCodePoint(c, value[++i]);
        out[at++] = (byte) (0xf0 | (cp >> 18));
        out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        out[at++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        out[at++] = '?';
      } else {
        out[at++] = (byte) (0xe0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[at++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    out[at++] = '"';
    length = at;
    return this;
  }

  /** Bytes that are already UTF-8 of the right form: {@code value[from, to)}. */
  public Utf8Output raw(byte[] value, int from, int to) {
    ensure(to - from);
    System.arraycopy(value, from, bytes, length, to - from);
    length += to - from;
    return this;
  }

  /** Where the first character from {@code from} that is not plain ASCII is; {@code to} if none. */
  private static int plainAscii(char[] value, int from, int to) {
    int i = from;
    while (i < to) {
      char c = value[i];
      if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      i++;
    }
    return i;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
