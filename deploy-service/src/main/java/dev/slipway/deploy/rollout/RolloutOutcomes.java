package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.service.PromotionPlanner;
import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Ends a rollout: its deploy.done ({@code derivedId("deploy.done", rolloutId)}) and, after a
 * success, what the next environment of the run gets (a deploy.requested or an approval), written
 * with the outcome in one transaction; plus its metrics and log line.
 */
@ApplicationScoped
class RolloutOutcomes {

  private static final Logger LOG = Logger.getLogger(RolloutOutcomes.class);
  private static final String UNKNOWN = "(unknown)";

  private final RolloutWorkRepository work;
  private final PromotionPlanner promotions;
  private final MeterRegistry metrics;

  RolloutOutcomes(RolloutWorkRepository work, PromotionPlanner promotions, MeterRegistry metrics) {
    this.work = work;
    this.promotions = promotions;
    this.metrics = metrics;
  }

  void finish(RolloutState r, HeldRollout held, Step.Finish finish) {
    RolloutWorkRepository.Start early = finish.early();
    String cluster = early != null ? early.cluster() : r.cluster();
    String namespace = early != null ? early.namespace() : r.namespace();
    Strategy strategy = early != null ? early.strategy() : r.strategy();
    RunContext run = early != null && early.run() != null ? early.run() : r.run();
    OffsetDateTime now = RolloutSupport.now();
    Long durationMs =
        r.startedAt() == null ? null : Duration.between(r.startedAt(), now).toMillis();
    DeployDone done =
        new DeployDone(
            r.environment(),
            cluster == null ? UNKNOWN : cluster,
            namespace == null ? UNKNOWN : namespace,
            switch (finish.status()) {
              case SUCCEEDED -> DeployDone.Status.SUCCEEDED;
              case ROLLED_BACK -> DeployDone.Status.ROLLED_BACK;
              default -> DeployDone.Status.FAILED;
            },
            finish.revision() == null ? 0 : finish.revision(),
            finish.reason(),
            r.image(),
            r.imageDigest(),
            finish.servingDigest(),
            strategy,
            r.reason(),
            durationMs);
    Envelope<DeployDone> event =
        new Envelope<>(
            Envelope.derivedId("deploy.done", r.id()),
            PromotionPlanner.SOURCE,
            EventType.DEPLOY_DONE.ceType(),
            now,
            r.application(),
            r.runId(),
            r.id(),
            r.commitSha(),
            done);
    PromotionPlanner.Plan plan =
        finish.status() == RolloutStatus.SUCCEEDED && finish.promote()
            ? promotions.plan(r.id(), r.image(), r.imageDigest(), run, event)
            : new PromotionPlanner.Plan(List.of(), Optional.empty());
    List<Envelope<?>> events = new ArrayList<>();
    events.add(event);
    events.addAll(plan.events());
    work.finish(
        held.lease(),
        new RolloutWorkRepository.Finish(
            finish.status(), finish.reason(), finish.servingDigest(), cluster, namespace, strategy),
        events,
        plan.approval());
    metrics
        .counter(
            "slipway.rollouts",
            "status",
            finish.status().name(),
            "strategy",
            strategy == null ? "none" : strategy.name())
        .increment();
    if (durationMs != null) {
      metrics
          .timer("slipway.rollout.duration", "status", finish.status().name())
          .record(Duration.ofMillis(durationMs));
    }
    LOG.infof(
        "run %s: rollout %s of %s to %s %s: %s%s",
        r.runId(),
        r.id(),
        r.application(),
        r.environment(),
        finish.status(),
        finish.reason(),
        plan.approval().isPresent()
            ? "; approval "
                + plan.approval().get().id()
                + " opened for "
                + plan.approval().get().environment()
            : plan.events().isEmpty() ? "" : "; promotion to the next environment requested");
  }
}
