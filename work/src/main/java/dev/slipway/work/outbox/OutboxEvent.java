package dev.slipway.work.outbox;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.work.trace.Traceparent;
import java.nio.charset.StandardCharsets;

/**
 * An event as the outbox keeps it until the relay publishes it: made before the transaction (so the
 * transaction only inserts), with the trace context of the request that caused it.
 *
 * @param eventId the event's id, derived from its cause
 * @param topic the topic it goes to
 * @param application the record key (the event's subject)
 * @param json the whole event as structured-mode CloudEvents JSON ({@link EventJson#writeEvent})
 * @param traceparent the W3C trace context of the request that caused it, or null
 */
public record OutboxEvent(
    String eventId, String topic, String application, String json, String traceparent) {

  /** {@code event} as the outbox keeps it, traced to the current span. */
  public static OutboxEvent of(Envelope<?> event) {
    return of(event, Traceparent.current());
  }

  /** {@code event} as the outbox keeps it, traced to {@code traceparent} (null: untraced). */
  public static OutboxEvent of(Envelope<?> event, String traceparent) {
    String topic =
        EventType.forCeType(event.type())
            .orElseThrow(() -> new IllegalArgumentException("unknown event type " + event.type()))
            .topic();
    return new OutboxEvent(
        event.id(),
        topic,
        event.subject(),
        new String(EventJson.writeEvent(event), StandardCharsets.UTF_8),
        traceparent);
  }
}
