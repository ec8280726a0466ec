package dev.slipway.scan.repository;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import java.nio.charset.StandardCharsets;

/**
 * An event waiting in the outbox: its id, topic, key and CloudEvents structured JSON.
 *
 * @param eventId the event's id, derived from its cause
 * @param topic the topic it goes to
 * @param application the record key
 * @param json {@link EventJson#writeEvent} of the event
 */
public record OutboxEvent(String eventId, String topic, String application, String json) {

  /** The outbox form of {@code event}. */
  public static OutboxEvent of(EventType<?> type, Envelope<?> event) {
    return new OutboxEvent(
        event.id(),
        type.topic(),
        event.subject(),
        new String(EventJson.writeEvent(event), StandardCharsets.UTF_8));
  }
}
