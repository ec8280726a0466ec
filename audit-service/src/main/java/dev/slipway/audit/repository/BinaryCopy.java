package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * Rows in PostgreSQL's binary COPY format: a header, then per row the number of fields and each
 * field as its length and its bytes in the type's binary form, then a trailer. The server parses no
 * text for numbers, timestamps, UUIDs and hashes, which makes COPY the fastest way in. Fields known
 * before a row has its place in the log can be encoded ahead ({@link #encode}) and written as they
 * are ({@link #raw}).
 */
final class BinaryCopy {

  /** Bytes of a JSON value already encoded as UTF-8: {@code bytes[from, to)}. */
  record Utf8(byte[] bytes, int from, int to) {}

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };
  private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

  private byte[] buffer;
  private int length;

  BinaryCopy(int expectedBytes) {
    buffer = new byte[Math.max(64, expectedBytes)];
    write(SIGNATURE, 0, SIGNATURE.length);
    writeInt(0);
    writeInt(0);
  }

  /** Starts a row of {@code fields} fields. */
  void row(int fields) {
    writeShort(fields);
  }

  /** Fields encoded ahead by {@link #encode}. */
  void raw(byte[] encoded) {
    write(encoded, 0, encoded.length);
  }

  /** A field of {@code kind}; see {@link #encode}. */
  void field(AuditColumn.Kind kind, Object value) {
    writeField(kind, value);
  }

  /** Bytes written and not sent yet. */
  int length() {
    return length;
  }

  /** Ends the rows with the trailer. */
  void finish() {
    writeShort(-1);
  }

  /** Sends what was written to {@code in} and empties the buffer for the rows that follow. */
  void sendTo(CopyIn in) throws SQLException {
    in.writeToCopy(buffer, 0, length);
    length = 0;
  }

  /**
   * Fields encoded for a later {@link #raw}: Long, Integer, Boolean, String (text, a UUID, or JSON
   * text), {@link Utf8} (JSON already encoded), OffsetDateTime or byte[] (a hash), by the column's
   * kind; null is SQL NULL. {@code starts[i]}, when given, is set to where field {@code i}'s bytes
   * start in the result (after its length).
   */
  static byte[] encode(AuditColumn.Kind[] kinds, Object[] values, int[] starts) {
    BinaryCopy out = SCRATCH.get();
    out.length = 0;
    for (int i = 0; i < kinds.length; i++) {
      if (starts != null) {
        starts[i] = out.length + 4;
      }
      out.writeField(kinds[i], values[i]);
    }
    return Arrays.copyOf(out.buffer, out.length);
  }

  /** Where each thread encodes fields ahead, one record after the other. */
  private static final ThreadLocal<BinaryCopy> SCRATCH =
      ThreadLocal.withInitial(() -> new BinaryCopy(8192));

  private void writeField(AuditColumn.Kind kind, Object value) {
    if (value == null) {
      writeInt(-1);
      return;
    }
    switch (kind) {
      case BIGINT -> {
        writeInt(8);
        writeLong((Long) value);
      }
      case INTEGER -> {
        writeInt(4);
        writeInt((Integer) value);
      }
      case BOOLEAN -> {
        writeInt(1);
        ensure(1);
        buffer[length++] = (byte) ((Boolean) value ? 1 : 0);
      }
      case TEXT -> bytes(((String) value).getBytes(StandardCharsets.UTF_8));
      case UUID -> {
        java.util.UUID uuid = java.util.UUID.fromString((String) value);
        writeInt(16);
        writeLong(uuid.getMostSignificantBits());
        writeLong(uuid.getLeastSignificantBits());
      }
      case TIMESTAMP -> {
        OffsetDateTime time = (OffsetDateTime) value;
        long micros =
            Math.addExact(
                Math.multiplyExact(time.toEpochSecond(), 1_000_000L), time.getNano() / 1_000);
        writeInt(8);
        writeLong(micros - POSTGRES_EPOCH_MICROS);
      }
      case JSON -> {
        if (value instanceof Utf8 json) {
          writeInt(json.to() - json.from());
          write(json.bytes(), json.from(), json.to() - json.from());
        } else {
          bytes(((String) value).getBytes(StandardCharsets.UTF_8));
        }
      }
      case HASH -> bytes((byte[]) value);
    }
  }

  private void bytes(byte[] bytes) {
    writeInt(bytes.length);
    write(bytes, 0, bytes.length);
  }

  private void write(byte[] bytes, int from, int count) {
    ensure(count);
    System.arraycopy(bytes, from, buffer, length, count);
    length += count;
  }

  private void writeShort(int value) {
    ensure(2);
    buffer[length++] = (byte) (value >> 8);
    buffer[length++] = (byte) value;
  }

  private void writeInt(int value) {
    ensure(4);
    buffer[length++] = (byte) (value >> 24);
    buffer[length++] = (byte) (value >> 16);
    buffer[length++] = (byte) (value >> 8);
    buffer[length++] = (byte) value;
  }

  private void writeLong(long value) {
    writeInt((int) (value >> 32));
    writeInt((int) value);
  }

  private void ensure(int more) {
    if (length + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
    }
  }
}
