package dev.slipway.scan.messaging;

import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.scan.DigestServing;
import dev.slipway.scan.repository.DeploymentRepository;
import dev.slipway.scan.repository.ReevaluationRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Keeps which digest serves in which application and environment now, from deploy.done (consumer
 * group {@code scan-service-exposure}): the serving digest of every outcome (after a rollback, the
 * restored one); none when nothing serves. An older event never overwrites a newer one, so
 * redelivery changes nothing. A digest that began to serve is queued for re-evaluation: its scan
 * may predate advisories imported since. Unreadable records to {@code deploy.done.dlq}.
 */
@ApplicationScoped
public class DeployDoneConsumer {

  static final String CHANNEL = "deploy-done";

  private static final Logger LOG = Logger.getLogger(DeployDoneConsumer.class);

  private final DeploymentRepository deployments;
  private final ReevaluationRepository reevaluations;
  private final Event<DigestServing> digestServing;

  public DeployDoneConsumer(
      DeploymentRepository deployments,
      ReevaluationRepository reevaluations,
      Event<DigestServing> digestServing) {
    this.deployments = deployments;
    this.reevaluations = reevaluations;
    this.digestServing = digestServing;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(Message<DeployDone> message) {
    return KafkaCloudEvents.consume(message, EventType.DEPLOY_DONE, this::handle);
  }

  private Uni<?> handle(Envelope<DeployDone> event) {
    DeployDone done = event.data();
    String serving = done.servingDigest();
    if (serving == null && done.status() == DeployDone.Status.SUCCEEDED) {
      serving = done.imageDigest();
    }
    String digest = serving;
    return deployments
        .apply(event, digest)
        .call(
            applied ->
                applied && digest != null
                    ? reevaluations
                        .enqueueDigest(digest)
                        .invoke(() -> digestServing.fire(new DigestServing(digest)))
                    : Uni.createFrom().voidItem())
        .invoke(
            applied ->
                LOG.infof(
                    "run %s: %s/%s now serves %s%s",
                    event.runId(),
                    event.subject(),
                    done.environment(),
                    digest == null ? "nothing" : digest,
                    applied ? "" : " (older event, ignored)"));
  }
}
