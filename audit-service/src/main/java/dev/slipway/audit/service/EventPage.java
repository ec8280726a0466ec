package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import java.util.List;

/**
 * One page of audit rows.
 *
 * @param items the rows, in the order asked for
 * @param nextCursor the sequence after which the next page starts; null when there is none
 */
public record EventPage(List<AuditEvent> items, Long nextCursor) {}
