package dev.slipway.audit.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.AuditRecord;
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

  private AuditContent() {}

  /** The canonical content of a stored row. */
  public static String content(AuditEvent row) {
    return body(row.record()).text() + position(row.seq(), row.recordedAt(), row.conflictOf());
  }

  /** The end of the content: the row's place in the log, and the closing bracket. */
  public static String position(long seq, OffsetDateTime recordedAt, Long conflictOf) {
    return seq + "," + micros(recordedAt) + "," + conflictOf + "]";
  }

  /**
   * The start of the content: the opening bracket, every column that comes from the record, and the
   * comma before the position.
   *
   * @param text the content text so far
   * @param event the canonical JSON of the event, a part of {@code text}, to store as it is
   * @param headers the canonical JSON of the headers, or null
   */
  public record Body(String text, String event, String headers) {}

  /** The {@link Body} of a record. */
  public static Body body(AuditRecord record) {
    StringBuilder out = new StringBuilder(1024).append('[');
    String event = null;
    String headers = null;
    for (AuditColumn column : AuditColumn.BODY) {
      int start = out.length();
      append(column, column.of(record), out);
      if (column == AuditColumn.EVENT) {
        event = out.substring(start);
      } else if (column == AuditColumn.HEADERS && record.headers() != null) {
        headers = out.substring(start);
      }
      out.append(',');
    }
    return new Body(out.toString(), event, headers);
  }

  /** SHA-256 fed with 0x00 and the body: the leaf hash but for the position. */
  public static MessageDigest bodyDigest(byte[] body) {
    MessageDigest sha = MerkleHash.newSha256();
    sha.update(MerkleHash.LEAF_PREFIX);
    sha.update(body);
    return sha;
  }

  /** The leaf hash: {@code bodyDigest} finished with the position (the digest is spent). */
  public static byte[] leafHash(MessageDigest bodyDigest, String position) {
    return bodyDigest.digest(position.getBytes(StandardCharsets.UTF_8));
  }

  /** The leaf hash of a stored row, recomputed from its columns. */
  public static byte[] leafHash(AuditEvent row) {
    return MerkleHash.leaf(content(row).getBytes(StandardCharsets.UTF_8));
  }

  /** The chain hash of a row: SHA-256 over the previous row's hash and this row's leaf hash. */
  public static byte[] chainHash(byte[] prev, byte[] leafHash) {
    MessageDigest sha = MerkleHash.sha256();
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

  private static void append(AuditColumn column, Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
      return;
    }
    switch (column.kind()) {
      case BIGINT, INTEGER, BOOLEAN -> out.append(value);
      case TEXT, UUID -> CanonicalJson.appendString((String) value, out);
      case TIMESTAMP -> out.append(micros((OffsetDateTime) value));
      case JSON -> CanonicalJson.append((JsonNode) value, out);
      case HASH -> throw new IllegalArgumentException(column + " is not content");
    }
  }
}
