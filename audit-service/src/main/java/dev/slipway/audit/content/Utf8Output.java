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
    return ascii(Long.toString(value));
  }

  /** A JSON string: quoted, escaped, UTF-8; an unpaired surrogate becomes {@code ?} as in Java. */
  public Utf8Output string(String value) {
    int n = value.length();
    ensure(n + 2);
    bytes[length++] = '"';
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          ensure(1);
          bytes[length++] = (byte) c;
        } else if (c == '"' || c == '\\') {
          ensure(2);
          bytes[length++] = '\\';
          bytes[length++] = (byte) c;
        } else {
          ensure(6);
          bytes[length++] = '\\';
          bytes[length++] = 'u';
          bytes[length++] = '0';
          bytes[length++] = '0';
          bytes[length++] = HEX[c >> 4];
          bytes[length++] = HEX[c & 0xf];
        }
      } else if (c < 0x800) {
        ensure(2);
        bytes[length++] = (byte) (0xc0 | (c >> 6));
        bytes[length++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
        ensure(4);
        bytes[length++] = (byte) (0xf0 | (cp >> 18));
        bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        bytes[length++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        ensure(1);
        bytes[length++] = '?';
      } else {
        ensure(3);
        bytes[length++] = (byte) (0xe0 | (c >> 12));
        bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        bytes[length++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    ensure(1);
    bytes[length++] = '"';
    return this;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
