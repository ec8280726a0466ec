package dev.slipway.events;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for every Slipway payload record. Raw bytes pass through unchanged: a dead
 * letter that could not be deserialized is forwarded exactly as it was received.
 */
public class PayloadSerializer implements Serializer<Object> {

  @Override
  public byte[] serialize(String topic, Object payload) {
    if (payload == null || payload instanceof byte[]) {
      return (byte[]) payload;
    }
    return EventJson.writePayload(payload);
  }
}
