package dev.slipway.audit;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Stands in for build-service in tests: consumes commit.received with the real SmallRye dead-letter
 * queue, so a malformed record reaches commit.received.dlq exactly as in production.
 */
@ApplicationScoped
public class DeadLetteringPipelineConsumer {

  static final String CHANNEL = "pipeline-stand-in";

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<CommitReceived> message) {
    return KafkaCloudEvents.consume(
        message, EventType.COMMIT_RECEIVED, event -> Uni.createFrom().voidItem());
  }
}
