package dev.slipway.deploy.messaging;

import dev.slipway.deploy.repository.RolloutRepository;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Records each deploy.requested as a queued rollout and acks: the rollout itself is a worker's
 * business (the commit wakes the rollout workers), so no record is held while a cluster is slow. At
 * least once, idempotent on the event id, unreadable records to {@code deploy.requested.dlq}.
 */
@ApplicationScoped
public class DeployRequestedConsumer {

  static final String CHANNEL = "deploy-requested";

  private static final Logger LOG = Logger.getLogger(DeployRequestedConsumer.class);

  private final RolloutRepository rollouts;

  public DeployRequestedConsumer(RolloutRepository rollouts) {
    this.rollouts = rollouts;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<DeployRequested> message) {
    return KafkaCloudEvents.consume(
        message,
        EventType.DEPLOY_REQUESTED,
        event ->
            rollouts
                .queue(event)
                .invoke(
                    queued -> {
                      if (queued) {
                        LOG.infof(
                            "run %s: rollout %s of %s to %s queued (%s)",
                            event.runId(),
                            event.id(),
                            event.subject(),
                            event.data().environment(),
                            event.data().reason());
                      }
                    }));
  }
}
