package dev.slipway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * One record as the audit store keeps it, before it has a place in the log: where it was read, the
 * columns queries need, and the whole event (or, for a quarantined record, its raw bytes).
 *
 * @param topic the topic it was read from (a dead-letter topic included), or {@code audit.read} for
 *     a read of the store recorded by the service itself
 * @param topicId the Kafka topic id, so a topic recreated under the same name is told apart; null
 *     for records that did not come from Kafka
 * @param partition the Kafka partition; null for records that did not come from Kafka
 * @param offset the Kafka offset; null for records that did not come from Kafka
 * @param key the record key (the application, by convention), null when absent
 * @param eventId CloudEvents {@code id}; null when absent or too long to index
 * @param type CloudEvents {@code type}
 * @param source CloudEvents {@code source}
 * @param application CloudEvents {@code subject}, or the record key when the subject is missing
 * @param runId the pipeline run
 * @param causationId the id of the event that caused this one
 * @param commitSha the commit the run is about
 * @param environment the environment of a deploy event
 * @param actor who acted, as the producing service authenticated them (see the README)
 * @param status the outcome: build status, scan verdict, deploy status
 * @param eventTime CloudEvents {@code time}; the Kafka timestamp (or the time it was recorded) when
 *     that is unusable
 * @param quarantined whether the record could not be kept as an event and is kept raw instead
 * @param problem why the record does not match its contract or was quarantined; null when valid
 * @param event the whole event as a structured CloudEvent (data, or data_base64 for non-JSON); for
 *     a quarantined record its key, value and headers in base64
 * @param headers the Kafka headers that are not CloudEvents attributes (e.g. dead-letter-*)
 */
public record AuditRecord(
    String topic,
    String topicId,
    Integer partition,
    Long offset,
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
    boolean quarantined,
    String problem,
    JsonNode event,
    JsonNode headers) {

  /**
   * A record kept raw: only where it was read, when, why, and {@code raw} (its bytes in base64).
   */
  public static AuditRecord quarantined(
      String topic,
      String topicId,
      Integer partition,
      Long offset,
      OffsetDateTime eventTime,
      String problem,
      JsonNode raw) {
    return new AuditRecord(
        topic, topicId, partition, offset, null, null, null, null, null, null, null, null, null,
        null, null, eventTime, true, problem, raw, null);
  }

  /** The same record attributed to another topic id (the topic was recreated). */
  public AuditRecord withTopicId(String id) {
    return new AuditRecord(
        topic,
        id,
        partition,
        offset,
        key,
        eventId,
        type,
        source,
        application,
        runId,
        causationId,
        commitSha,
        environment,
        actor,
        status,
        eventTime,
        quarantined,
        problem,
        event,
        headers);
  }
}
