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
    // At most six bytes a char (a control character's escape), the quotes: checked once.
    ensure(6 * n + 2);
    byte[] out = bytes;
    int at = length;
    out[at++] = '"';
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
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
          && i + 1 < n
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
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

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
