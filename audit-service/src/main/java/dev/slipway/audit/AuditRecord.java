package dev.slipway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * One Kafka record as the audit store keeps it, before it is chained: where it was read, the
 * columns queries need, and the whole event.
 *
 * @param topic the topic it was read from, a dead-letter topic included
 * @param partition the Kafka partition
 * @param offset the Kafka offset
 * @param key the record key (the application, by convention), null when absent
 * @param eventId CloudEvents {@code id}; null when the record carries none
 * @param type CloudEvents {@code type}
 * @param source CloudEvents {@code source}
 * @param application CloudEvents {@code subject}, or the record key when the subject is missing
 * @param runId the pipeline run
 * @param causationId the id of the event that caused this one
 * @param commitSha the commit the run is about
 * @param environment the environment of a deploy event
 * @param actor who acted: the pusher of a commit, who requested a deploy
 * @param status the outcome: build status, scan verdict, deploy status
 * @param eventTime CloudEvents {@code time}; the Kafka record timestamp when that is unusable
 * @param problem why the record does not match its contract; null for a valid event
 * @param event the whole event as a structured CloudEvent (data, or data_base64 for non-JSON)
 * @param headers the Kafka headers that are not CloudEvents attributes (e.g. dead-letter-*)
 */
public record AuditRecord(
    String topic,
    int partition,
    long offset,
    String key,
    String eventId,
    String type,
    String source,
    String application,
    String runId,
    String causationId,
    String commitSha,
    String environment,
    String actor,
    String status,
    OffsetDateTime eventTime,
    String problem,
    JsonNode event,
    JsonNode headers) {}
