package dev.slipway.scan.messaging;

import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.scan.repository.ScanRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Turns each successful build.done into a pending scan of its image; a failed, cancelled or
 * timed-out build has no image and is only acknowledged. At least once, idempotent on the event id,
 * unreadable records to {@code build.done.dlq}.
 */
@ApplicationScoped
public class BuildDoneConsumer {

  static final String CHANNEL = "build-done";

  private static final Logger LOG = Logger.getLogger(BuildDoneConsumer.class);

  private final ScanRepository scans;

  public BuildDoneConsumer(ScanRepository scans) {
    this.scans = scans;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<BuildDone> message) {
    return KafkaCloudEvents.consume(message, EventType.BUILD_DONE, this::handle);
  }

  private Uni<?> handle(Envelope<BuildDone> event) {
    if (event.data().status() != BuildStatus.SUCCEEDED) {
      LOG.infof("run %s: build %s, nothing to scan", event.runId(), event.data().status());
      return Uni.createFrom().voidItem();
    }
    return scans
        .request(event)
        .invoke(
            recorded -> {
              if (recorded) {
                LOG.infof(
                    "run %s: scan of %s pending", event.runId(), event.data().image().digest());
              }
            });
  }
}
