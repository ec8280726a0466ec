package dev.slipway.audit;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.OffsetDateTime;

/**
 * A stored audit row: its place in the chain, when it was recorded, and the record itself.
 *
 * @param seq position in the chain, gapless from 1, in the order rows were committed
 * @param recordedAt when the audit service wrote it
 * @param record what was read from Kafka
 * @param prevHash hex SHA-256 of the previous row (64 zeros for the first row)
 * @param hash hex SHA-256 over {@code prevHash} and this row's canonical content
 */
public record AuditEvent(
    long seq,
    OffsetDateTime recordedAt,
    @JsonUnwrapped AuditRecord record,
    String prevHash,
    String hash) {}
