package dev.slipway.audit;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.OffsetDateTime;

/**
 * A stored audit row: its place in the log, when it was recorded, the record itself and its hashes.
 *
 * @param seq position in the log, gapless from 1, in the order rows were committed; leaf {@code seq
 *     - 1} of the Merkle tree
 * @param recordedAt when the audit service wrote it
 * @param conflictOf the first row with the same CloudEvents source and id on the same topic but a
 *     different event; null when the record has no such twin
 * @param record what was read
 * @param leafHash hex RFC 6962 leaf hash, SHA-256 of 0x00 and the row's canonical content
 * @param prevHash hex chain hash of the previous row (64 zeros for the first row)
 * @param hash hex SHA-256 over {@code prevHash} and {@code leafHash}
 */
public record AuditEvent(
    long seq,
    OffsetDateTime recordedAt,
    Long conflictOf,
    @JsonUnwrapped AuditRecord record,
    String leafHash,
    String prevHash,
    String hash) {}
