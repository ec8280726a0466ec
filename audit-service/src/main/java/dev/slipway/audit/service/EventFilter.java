package dev.slipway.audit.service;

import java.time.OffsetDateTime;

/**
 * Which audit rows a query wants; a null field does not filter.
 *
 * @param application CloudEvents subject
 * @param runId the pipeline run
 * @param commitSha the commit
 * @param type CloudEvents type, e.g. {@code dev.slipway.deploy.done.v1}
 * @param topic the Kafka topic, e.g. {@code deploy.done.dlq}
 * @param environment the environment of deploy events
 * @param status build status, scan verdict or deploy status
 * @param from event time at or after
 * @param to event time before
 */
public record EventFilter(
    String application,
    String runId,
    String commitSha,
    String type,
    String topic,
    String environment,
    String status,
    OffsetDateTime from,
    OffsetDateTime to) {}
