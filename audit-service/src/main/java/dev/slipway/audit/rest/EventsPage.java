package dev.slipway.audit.rest;

import dev.slipway.audit.AuditEvent;
import java.util.List;

/**
 * A page of {@code GET /api/audit/events}.
 *
 * @param items the rows of this page
 * @param nextCursor pass as {@code cursor} for the next page; null when there is none yet
 */
public record EventsPage(List<AuditEvent> items, String nextCursor) {}
