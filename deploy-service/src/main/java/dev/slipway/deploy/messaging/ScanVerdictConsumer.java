package dev.slipway.deploy.messaging;

import dev.slipway.deploy.repository.ScanVerdicts;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.ScanDone;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Records scan-service's verdicts (scan.done), which a rollout checks before it applies a digest.
 * At least once, idempotent on the event id, unreadable records to {@code scan.done.dlq}.
 */
@ApplicationScoped
public class ScanVerdictConsumer {

  static final String CHANNEL = "scan-done";

  private final ScanVerdicts verdicts;

  public ScanVerdictConsumer(ScanVerdicts verdicts) {
    this.verdicts = verdicts;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<ScanDone> message) {
    return KafkaCloudEvents.consume(
        message, EventType.SCAN_DONE, event -> verdicts.record(event).replaceWithVoid());
  }
}
