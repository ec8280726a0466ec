package dev.slipway.build.messaging;

import dev.slipway.build.repository.BuildQueue;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Turns each commit.received into a queued build and acknowledges it at once: the build itself runs
 * later on a worker that claims it from the database, so an hour-long build never holds a Kafka
 * record, stalls the partition or trips the throttled commit strategy's unprocessed-record limit.
 * The offset is committed only after the build row is written (at least once); one build per run id
 * makes a redelivery harmless; a record that is not a valid commit.received goes to {@code
 * commit.received.dlq}.
 */
@ApplicationScoped
public class CommitReceivedConsumer {

  static final String CHANNEL = "commit-received";

  private static final Logger LOG = Logger.getLogger(CommitReceivedConsumer.class);

  private final BuildQueue builds;

  public CommitReceivedConsumer(BuildQueue builds) {
    this.builds = builds;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<CommitReceived> message) {
    return KafkaCloudEvents.consume(
        message,
        EventType.COMMIT_RECEIVED,
        event -> builds.queue(event).invoke(queued -> log(event, queued)));
  }

  private static void log(Envelope<CommitReceived> event, boolean queued) {
    if (queued) {
      LOG.infof(
          "run %s: queued build of %s at %s",
          event.runId(), event.subject(), event.data().commitSha());
    } else {
      LOG.debugf("run %s: commit.received %s already seen", event.runId(), event.id());
    }
  }
}
