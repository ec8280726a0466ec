package dev.slipway.build.messaging;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Test bean: sends envelopes through SmallRye's Kafka connector and keeps what comes back. */
@ApplicationScoped
public class CloudEventsProbe {

  private final MutinyEmitter<Object> out;
  private final List<Envelope<?>> received = new CopyOnWriteArrayList<>();

  public CloudEventsProbe(@Channel("cloud-events-probe-out") MutinyEmitter<Object> out) {
    this.out = out;
  }

  /** Completes when the broker acknowledged the record. */
  @SuppressWarnings("unchecked")
  public Uni<Void> send(Envelope<?> event) {
    return out.sendMessage((Message<Object>) (Message<?>) KafkaCloudEvents.toMessage(event));
  }

  @Incoming("cloud-events-probe-in")
  public Uni<Void> receive(Message<byte[]> message) {
    String ceType = message.getMetadata(IncomingCloudEventMetadata.class).orElseThrow().getType();
    EventType<?> type = EventType.forCeType(ceType).orElseThrow();
    received.add(read(message, type));
    return Uni.createFrom().completionStage(message.ack());
  }

  public List<Envelope<?>> received() {
    return received;
  }

  private static <T> Envelope<T> read(Message<byte[]> message, EventType<T> type) {
    T payload = EventJson.readPayload(message.getPayload(), type.payloadType());
    return KafkaCloudEvents.fromMessage(message.withPayload(payload), type);
  }
}
