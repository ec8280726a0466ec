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
 * Turns each deploy.requested into a queued rollout. At least once, idempotent on the event id,
 * unreadable records to {@code deploy.requested.dlq}.
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
                            "run %s: rollout of %s to %s queued (%s)",
                            event.runId(),
                            event.subject(),
                            event.data().environment(),
                            event.data().reason());
                      }
                    }));
  }
}
