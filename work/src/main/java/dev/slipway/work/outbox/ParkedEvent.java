package dev.slipway.work.outbox;

import java.time.OffsetDateTime;

/**
 * A parked outbox row as the admin API shows it.
 *
 * @param id the row, as the retry and drop paths name it
 * @param eventId the event's id
 * @param topic where it was to go
 * @param application its record key
 * @param createdAt when the service wrote it
 * @param parkedAt when the relay set it aside
 * @param reason why Kafka refused it
 * @param sizeBytes the size of the stored event
 */
public record ParkedEvent(
    long id,
    String eventId,
    String topic,
    String application,
    OffsetDateTime createdAt,
    OffsetDateTime parkedAt,
    String reason,
    int sizeBytes) {

  static ParkedEvent of(OutboxStore.Parked row) {
    return new ParkedEvent(
        row.id(),
        row.eventId(),
        row.topic(),
        row.application(),
        row.createdAt(),
        row.parkedAt(),
        row.reason(),
        row.event().length());
  }
}
