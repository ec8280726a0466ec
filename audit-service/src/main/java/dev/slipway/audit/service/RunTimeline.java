package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The whole story of one pipeline run.
 *
 * @param runId the run
 * @param application the application it built and deployed
 * @param commitSha the commit it was about
 * @param startedAt event time of its first event
 * @param events every audited record of the run, each after its cause
 */
public record RunTimeline(
    String runId,
    String application,
    String commitSha,
    OffsetDateTime startedAt,
    List<AuditEvent> events) {}
