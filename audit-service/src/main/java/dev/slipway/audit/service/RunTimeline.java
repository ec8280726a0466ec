package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The story of one pipeline run, a bounded page at a time.
 *
 * @param runId the run
 * @param application the application it built and deployed
 * @param commitSha the commit it was about
 * @param startedAt event time of the earliest event in this page
 * @param events the run's audited records in this page, each after its cause
 * @param next where the next page starts (pass it as {@code after}); null on the last page
 */
public record RunTimeline(
    String runId,
    String application,
    String commitSha,
    OffsetDateTime startedAt,
    List<AuditEvent> events,
    String next) {}
