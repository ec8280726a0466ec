package dev.slipway.audit.service;

import dev.slipway.audit.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * The SHA-256 chain over the audit rows: {@code hash = SHA-256(prev_hash || content)}, where {@code
 * content} is the UTF-8 canonical JSON array of the row's stored fields in a fixed order (see the
 * README). The first row's {@code prev_hash} is 32 zero bytes.
 */
public final class AuditChain {

  /** The {@code prev_hash} of the first row. */
  public static final byte[] GENESIS = new byte[32];

  private static final HexFormat HEX = HexFormat.of();

  private AuditChain() {}

  /** The hash of a row at {@code seq}, recorded at {@code recordedAt}, after {@code prev}. */
  public static byte[] hash(byte[] prev, long seq, OffsetDateTime recordedAt, AuditRecord record) {
    return hash(prev, seq, recordedAt, body(record).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The same hash from the UTF-8 {@link #body} of the row, which a writer prepares before it takes
   * the chain lock.
   */
  public static byte[] hash(byte[] prev, long seq, OffsetDateTime recordedAt, byte[] body) {
    MessageDigest sha = sha256();
    sha.update(prev);
    sha.update(position(seq, recordedAt).getBytes(StandardCharsets.UTF_8));
    sha.update(body);
    return sha.digest();
  }

  /** The canonical content of a row, the text that is hashed after the previous row's hash. */
  public static String content(long seq, OffsetDateTime recordedAt, AuditRecord r) {
    return position(seq, recordedAt) + body(r);
  }

  /** The start of the content: the row's place in the chain. */
  private static String position(long seq, OffsetDateTime recordedAt) {
    return "[" + seq + "," + micros(recordedAt) + ",";
  }

  /** The rest of the content: everything that was read from Kafka, then the closing bracket. */
  public static String body(AuditRecord r) {
    StringBuilder out = new StringBuilder(1024);
    CanonicalJson.appendString(r.topic(), out);
    out.append(',').append(r.partition()).append(',').append(r.offset()).append(',');
    for (String text :
        new String[] {
          r.key(),
          r.eventId(),
          r.type(),
          r.source(),
          r.application(),
          r.runId(),
          r.causationId(),
          r.commitSha(),
          r.environment(),
          r.actor(),
          r.status()
        }) {
      CanonicalJson.appendString(text, out);
      out.append(',');
    }
    out.append(micros(r.eventTime())).append(',');
    CanonicalJson.appendString(r.problem(), out);
    out.append(',');
    CanonicalJson.append(r.event(), out);
    out.append(',');
    CanonicalJson.append(r.headers(), out);
    return out.append(']').toString();
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
