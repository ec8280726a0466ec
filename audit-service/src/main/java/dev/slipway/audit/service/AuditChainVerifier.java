package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.audit.service.ChainReport.Mismatch;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;

/**
 * Recomputes the hash chain from the stored rows and reports the first row whose content or link
 * does not match. Blocking: it runs on a worker thread, a page of rows at a time.
 */
@ApplicationScoped
public class AuditChainVerifier {

  private static final String PAGE =
      "SELECT "
          + AuditEventRepository.COLUMNS
          + " FROM audit_events WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3";

  private final AuditEventRepository repository;
  private final AuditConfig config;

  public AuditChainVerifier(AuditEventRepository repository, AuditConfig config) {
    this.repository = repository;
    this.config = config;
  }

  /** Checks rows {@code fromSeq..toSeq}; null bounds mean the first and the last row. */
  public ChainReport verify(Long fromSeq, Long toSeq) {
    Row tail =
        repository
            .rows("SELECT max(seq) AS seq FROM audit_events", Tuple.tuple())
            .await()
            .indefinitely()
            .iterator()
            .next();
    long last = tail.getLong("seq") == null ? 0 : tail.getLong("seq");
    long from = fromSeq == null ? 1 : fromSeq;
    long to = toSeq == null ? last : Math.min(toSeq, last);
    if (from > to) {
      return new ChainReport("OK", from, to, 0, null, null);
    }
    byte[] prev = AuditChain.GENESIS;
    if (from > 1) {
      var before =
          repository
              .rows(
                  "SELECT encode(hash, 'hex') AS hash FROM audit_events WHERE seq = $1",
                  Tuple.of(from - 1))
              .await()
              .indefinitely();
      if (before.size() == 0) {
        return broken(from, to, 0, null, new Mismatch(from - 1, null, "MISSING", "no row"));
      }
      prev = AuditChain.fromHex(before.iterator().next().getString("hash"));
    }
    long expected = from;
    long checked = 0;
    while (expected <= to) {
      List<AuditEvent> page =
          repository
              .list(PAGE, Tuple.of(expected, to, config.verifyPageSize()))
              .await()
              .indefinitely();
      if (page.isEmpty()) {
        break;
      }
      for (AuditEvent row : page) {
        if (row.seq() != expected) {
          return broken(
              from,
              to,
              checked,
              AuditChain.hex(prev),
              new Mismatch(expected, null, "MISSING", "no row; the next row is " + row.seq()));
        }
        checked++;
        if (!row.prevHash().equals(AuditChain.hex(prev))) {
          return broken(
              from,
              to,
              checked,
              AuditChain.hex(prev),
              new Mismatch(
                  row.seq(),
                  row.record().eventId(),
                  "LINK",
                  "prev_hash is "
                      + row.prevHash()
                      + ", the previous row's hash is "
                      + AuditChain.hex(prev)));
        }
        byte[] hash =
            AuditChain.hash(
                AuditChain.fromHex(row.prevHash()), row.seq(), row.recordedAt(), row.record());
        if (!Arrays.equals(hash, AuditChain.fromHex(row.hash()))) {
          return broken(
              from,
              to,
              checked,
              AuditChain.hex(prev),
              new Mismatch(
                  row.seq(),
                  row.record().eventId(),
                  "CONTENT",
                  "stored hash is "
                      + row.hash()
                      + ", the row's content gives "
                      + AuditChain.hex(hash)));
        }
        prev = hash;
        expected++;
      }
    }
    if (expected <= to) {
      return broken(
          from,
          to,
          checked,
          AuditChain.hex(prev),
          new Mismatch(expected, null, "MISSING", "no row"));
    }
    return new ChainReport("OK", from, to, checked, AuditChain.hex(prev), null);
  }

  private static ChainReport broken(
      long from, long to, long checked, String lastHash, Mismatch mismatch) {
    return new ChainReport("BROKEN", from, to, checked, lastHash, mismatch);
  }
}
