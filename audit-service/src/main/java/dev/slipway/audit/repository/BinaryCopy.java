package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format: a header, then per row the number of fields and each
 * field as its length and its bytes in the type's binary form, then a trailer. The server parses no
 * text for numbers, timestamps, UUIDs and hashes, which makes COPY the fastest way in. Fields known
 * before a row has its place in the log can be encoded ahead ({@link #encode}) and written as they
 * are ({@link #raw}).
 */
final class BinaryCopy {

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };
  private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

  private final ByteArrayOutputStream buffer;
  private final DataOutputStream out;

  BinaryCopy(int expectedBytes) {
    buffer = new ByteArrayOutputStream(expectedBytes);
    out = new DataOutputStream(buffer);
    write(
        () -> {
          out.write(SIGNATURE);
          out.writeInt(0);
          out.writeInt(0);
        });
  }

  /** Starts a row of {@code fields} fields. */
  void row(int fields) {
    write(() -> out.writeShort(fields));
  }

  /** Fields encoded ahead by {@link #encode}. */
  void raw(byte[] encoded) {
    write(() -> out.write(encoded));
  }

  /** A field of {@code kind}; see {@link #encode}. */
  void field(AuditColumn.Kind kind, Object value) {
    write(() -> writeField(out, kind, value));
  }

  /** The rows written so far and the trailer. */
  byte[] finish() {
    write(() -> out.writeShort(-1));
    return buffer.toByteArray();
  }

  /**
   * Fields encoded for a later {@link #raw}: Long, Integer, Boolean, String (text, a UUID, or JSON
   * text), OffsetDateTime or byte[] (a hash), by the column's kind; null is SQL NULL.
   */
  static byte[] encode(AuditColumn.Kind[] kinds, Object[] values) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
    DataOutputStream data = new DataOutputStream(bytes);
    for (int i = 0; i < kinds.length; i++) {
      int field = i;
      write(() -> writeField(data, kinds[field], values[field]));
    }
    return bytes.toByteArray();
  }

  private static void writeField(DataOutputStream out, AuditColumn.Kind kind, Object value)
      throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    switch (kind) {
      case BIGINT -> {
        out.writeInt(8);
        out.writeLong((Long) value);
      }
      case INTEGER -> {
        out.writeInt(4);
        out.writeInt((Integer) value);
      }
      case BOOLEAN -> {
        out.writeInt(1);
        out.writeByte((Boolean) value ? 1 : 0);
      }
      case TEXT -> bytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
      case UUID -> {
        UUID uuid = UUID.fromString((String) value);
        out.writeInt(16);
        out.writeLong(uuid.getMostSignificantBits());
        out.writeLong(uuid.getLeastSignificantBits());
      }
      case TIMESTAMP -> {
        OffsetDateTime time = (OffsetDateTime) value;
        long micros =
            Math.addExact(
                Math.multiplyExact(time.toEpochSecond(), 1_000_000L), time.getNano() / 1_000);
        out.writeInt(8);
        out.writeLong(micros - POSTGRES_EPOCH_MICROS);
      }
      case JSON -> bytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
      case HASH -> bytes(out, (byte[]) value);
    }
  }

  private static void bytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private interface Write {
    void run() throws IOException;
  }

  private static void write(Write write) {
    try {
      write.run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: the buffer is in memory", e);
    }
  }
}
