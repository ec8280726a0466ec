package dev.slipway.audit.content;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.merkle.MerkleHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * What the log hashes for a row. Its canonical content is a JSON array of every column but the
 * hashes, in {@link AuditColumn#CONTENT} order (the columns read from the record, then seq,
 * recorded_at and conflict_of): integers as numbers, texts and UUIDs as strings, timestamps as
 * integer microseconds since the epoch (PostgreSQL's precision), booleans, JSON values in {@link
 * CanonicalJson} form, absent values as {@code null}. Then
 *
 * <pre>
 * leaf_hash = SHA-256(0x00 || UTF-8(content))     the RFC 6962 leaf hash
 * hash      = SHA-256(prev_hash || leaf_hash)     the chain; prev_hash of seq 1 = 32 zero bytes
 * </pre>
 *
 * The content is written in two parts: the {@link #body} from the record alone, hashed before the
 * append lock is taken ({@link #bodyDigest}), and the {@link #position} under it ({@link
 * #leafHash(MessageDigest, String)}), so under the lock a row costs the hash of a few bytes.
 */
public final class AuditContent {

  /** The {@code prev_hash} of the first row. */
  public static final byte[] GENESIS = new byte[32];

  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> CHAIN =
      ThreadLocal.withInitial(MerkleHash::newSha256);

  /** Where each thread writes the bodies it needs, one after the other. */
  private static final ThreadLocal<Utf8Output> BUFFER =
      ThreadLocal.withInitial(() -> new Utf8Output(8192));

  private AuditContent() {}

  /** The canonical content of a stored row. */
  public static String content(AuditEvent row) {
    Body body = body(row.record());
    return new String(body.bytes(), 0, body.length(), StandardCharsets.UTF_8)
        + position(row.seq(), row.recordedAt(), row.conflictOf());
  }

  /** The end of the content: the row's place in the log, and the closing bracket. */
  public static String position(long seq, OffsetDateTime recordedAt, Long conflictOf) {
    return seq + "," + micros(recordedAt) + "," + conflictOf + "]";
  }

  /**
   * The start of the content as UTF-8: the opening bracket, every column that comes from the
   * record, and the comma before the position. The canonical JSON of the event and of the headers
   * are parts of it, stored as they are. Written into a buffer of the calling thread: valid until
   * the thread asks for the next body.
   *
   * @param bytes the content so far in its first {@code length} bytes
   * @param length how many bytes of {@code bytes} are the body
   * @param eventFrom where the event's JSON starts in {@code bytes}
   * @param eventTo where it ends
   * @param headersFrom where the headers' JSON starts; -1 when the record has none
   * @param headersTo where it ends
   */
  public record Body(
      byte[] bytes, int length, int eventFrom, int eventTo, int headersFrom, int headersTo) {}

  /** The {@link Body} of a record, in this thread's buffer. */
  public static Body body(AuditRecord record) {
    Utf8Output out = BUFFER.get();
    out.reset();
    out.ascii('[');
    int eventFrom = -1;
    int eventTo = -1;
    int headersFrom = -1;
    int headersTo = -1;
    for (AuditColumn column : AuditColumn.BODY) {
      int start = out.length();
      append(column, column.of(record), out);
      if (column == AuditColumn.EVENT) {
        eventFrom = start;
        eventTo = out.length();
      } else if (column == AuditColumn.HEADERS && record.headers() != null) {
        headersFrom = start;
        headersTo = out.length();
      }
      out.ascii(',');
    }
    return new Body(out.buffer(), out.length(), eventFrom, eventTo, headersFrom, headersTo);
  }

  /** SHA-256 fed with 0x00 and the body: the leaf hash but for the position. */
  public static MessageDigest bodyDigest(Body body) {
    MessageDigest sha = MerkleHash.leafDigest();
    sha.update(body.bytes(), 0, body.length());
    return sha;
  }

  /**
   * The leaf hash: {@code bodyDigest} finished with the position. The body's digest is left as it
   * was, so a row appended again (its group was refused and it is appended alone) hashes the same.
   */
  public static byte[] leafHash(MessageDigest bodyDigest, String position) {
    MessageDigest leaf;
    try {
      leaf = (MessageDigest) bodyDigest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests of every JRE can be cloned", e);
    }
    return leaf.digest(position.getBytes(StandardCharsets.US_ASCII));
  }

  /** The leaf hash of a stored row, recomputed from its columns. */
  public static byte[] leafHash(AuditEvent row) {
    return bodyDigest(body(row.record()))
        .digest(
            position(row.seq(), row.recordedAt(), row.conflictOf())
                .getBytes(StandardCharsets.US_ASCII));
  }

  /** The chain hash of a row: SHA-256 over the previous row's hash and this row's leaf hash. */
  public static byte[] chainHash(byte[] prev, byte[] leafHash) {
    MessageDigest sha = CHAIN.get();
    sha.reset();
    sha.update(prev);
    sha.update(leafHash);
    return sha.digest();
  }

  /** Hex form of a hash. */
  public static String hex(byte[] hash) {
    return HEX.formatHex(hash);
  }

  /** A hash from its hex form. */
  public static byte[] fromHex(String hex) {
    return HEX.parseHex(hex);
  }

  /** Microseconds since the epoch: the precision PostgreSQL keeps for {@code timestamptz}. */
  public static long micros(OffsetDateTime time) {
    return Math.addExact(
        Math.multiplyExact(time.toEpochSecond(), 1_000_000L), time.getNano() / 1_000);
  }

  private static void append(AuditColumn column, Object value, Utf8Output out) {
    if (value == null) {
      out.ascii("null");
      return;
    }
    switch (column.kind()) {
      case BIGINT, INTEGER, BOOLEAN -> out.ascii(value.toString());
      case TEXT, UUID -> out.string((String) value);
      case TIMESTAMP -> out.number(micros((OffsetDateTime) value));
      case JSON -> CanonicalJson.append((JsonNode) value, out);
      case HASH -> throw new IllegalArgumentException(column + " is not content");
    }
  }
}
