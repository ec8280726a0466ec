package dev.slipway.scan.messaging;

import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.scan.ScanRequested;
import dev.slipway.scan.repository.ScanQueue;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Turns each successful build.done into a pending scan of its image, then acknowledges: the scan
 * itself runs in a worker woken by a {@link ScanRequested} event, never while the record is held. A
 * failed, cancelled or timed-out build has no image and is only acknowledged (its build.done
 * already ends the run). At least once, idempotent on the event id (the scan id is derived from
 * it), unreadable records to {@code build.done.dlq}.
 */
@ApplicationScoped
public class BuildDoneConsumer {

  static final String CHANNEL = "build-done";

  /**
   * The policy of a build.done that carries no run: the strictest, so an image of unknown origin
   * passes only when nothing at all is found.
   */
  static final ScanPolicy WITHOUT_RUN = new ScanPolicy(Severity.UNKNOWN, false);

  private static final Logger LOG = Logger.getLogger(BuildDoneConsumer.class);

  private final ScanQueue scans;
  private final Event<ScanRequested> requested;

  public BuildDoneConsumer(ScanQueue scans, Event<ScanRequested> requested) {
    this.scans = scans;
    this.requested = requested;
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
    ScanPolicy policy =
        event.data().run() == null ? WITHOUT_RUN : event.data().run().pipeline().scanPolicy();
    String scanId = Envelope.derivedId("scan", event.id());
    return scans
        .request(scanId, event, policy)
        .invoke(
            recorded -> {
              if (recorded) {
                LOG.infof(
                    "run %s: scan %s of %s pending",
                    event.runId(), scanId, event.data().image().digest());
                requested.fire(new ScanRequested(scanId));
              }
            });
  }
}
