package dev.slipway.deploy.messaging;

import dev.slipway.deploy.repository.ChangeLedger;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Records who wrote, committed and pushed each push (commit.received) into the change ledger, so an
 * approval knows everyone it must exclude, including pushes whose runs never reached a deploy. At
 * least once, idempotent on the event id, unreadable records to {@code commit.received.dlq}.
 */
@ApplicationScoped
public class ChangeConsumer {

  static final String CHANNEL = "commit-received";

  private final ChangeLedger ledger;

  public ChangeConsumer(ChangeLedger ledger) {
    this.ledger = ledger;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<CommitReceived> message) {
    return KafkaCloudEvents.consume(
        message, EventType.COMMIT_RECEIVED, event -> ledger.record(event).replaceWithVoid());
  }
}
