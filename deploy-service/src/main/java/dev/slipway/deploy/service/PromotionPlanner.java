package dev.slipway.deploy.service;

import dev.slipway.deploy.repository.ApprovalRepository;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Decides what a success in one environment causes in the next one of the run's chain: the {@code
 * promotion} of the TARGET environment governs entry into it. AUTO: a deploy.requested (reason
 * PROMOTION) at once. MANUAL: a pending approval needing max(1, requiredApprovals) distinct
 * approvers. The last environment of the chain causes nothing. Ids are derived from the rollout, so
 * a retried finish causes the same events.
 */
@ApplicationScoped
public class PromotionPlanner {

  /** The CloudEvents source of every event deploy-service publishes. */
  public static final String SOURCE = "/slipway/deploy-service";

  /**
   * What follows {@code done}, the SUCCEEDED deploy.done of rollout {@code rolloutId}.
   *
   * @param run the run's context (null: the chain is unknown, nothing follows)
   */
  public Plan plan(
      String rolloutId,
      String image,
      String imageDigest,
      RunContext run,
      Envelope<DeployDone> done) {
    if (run == null) {
      return Plan.NOTHING;
    }
    Optional<EnvironmentSpec> next = run.pipeline().next(done.data().environment());
    if (next.isEmpty()) {
      return Plan.NOTHING;
    }
    EnvironmentSpec target = next.get();
    if (target.promotion() == EnvironmentSpec.Promotion.AUTO) {
      DeployRequested request =
          new DeployRequested(
              target.name(),
              image,
              imageDigest,
              DeployRequested.Reason.PROMOTION,
              "deploy-service",
              run,
              List.of(),
              null);
      return new Plan(
          List.of(
              Envelope.causedBy(
                  done,
                  EventType.DEPLOY_REQUESTED,
                  SOURCE,
                  Envelope.derivedId("deploy.requested", rolloutId, target.name()),
                  request)),
          Optional.empty());
    }
    return new Plan(
        List.of(),
        Optional.of(
            new ApprovalRepository.NewApproval(
                Envelope.derivedId("approval", rolloutId, target.name()),
                done.subject(),
                target.name(),
                rolloutId,
                done.id(),
                done.runId(),
                done.commitSha(),
                image,
                imageDigest,
                run,
                Math.max(1, target.requiredApprovals()),
                OffsetDateTime.now(ZoneOffset.UTC).plus(target.approvalValidity()))));
  }

  /**
   * What a success causes.
   *
   * @param events events to publish (a promotion's deploy.requested)
   * @param approval an approval to open
   */
  public record Plan(List<Envelope<?>> events, Optional<ApprovalRepository.NewApproval> approval) {

    static final Plan NOTHING = new Plan(List.of(), Optional.empty());
  }
}
