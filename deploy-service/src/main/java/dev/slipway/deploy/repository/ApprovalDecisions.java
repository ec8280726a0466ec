package dev.slipway.deploy.repository;

import dev.slipway.deploy.Approval;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The approval.decided events of an approval: in its run (so the run's timeline shows them), caused
 * by the deploy.done that opened it, with ids derived from the approval, the decision and who made
 * it, so writing one twice keeps one.
 */
public final class ApprovalDecisions {

  /** The CloudEvents source of deploy-service's events. */
  public static final String SOURCE = "/slipway/deploy-service";

  /** Who decides what no person decided: expiry, revocation, supersede. */
  public static final String SERVICE = "deploy-service";

  private ApprovalDecisions() {}

  /** The event recording {@code decision} on {@code stored} by {@code actor}. */
  public static Envelope<ApprovalDecided> event(
      ApprovalRepository.Stored stored,
      ApprovalDecided.Decision decision,
      String actor,
      String reason) {
    Approval view = stored.view();
    List<String> approvers = view.approvals().stream().map(Approval.Vote::approver).toList();
    boolean open = decision == ApprovalDecided.Decision.VOTED;
    return new Envelope<>(
        Envelope.derivedId("approval.decided", view.id(), decision.name(), actor),
        SOURCE,
        EventType.APPROVAL_DECIDED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        view.application(),
        view.runId(),
        stored.causeEventId(),
        view.commitSha(),
        new ApprovalDecided(
            view.id(),
            view.environment(),
            view.image(),
            view.imageDigest(),
            decision,
            actor,
            reason,
            approvers,
            view.required(),
            open || decision == ApprovalDecided.Decision.APPROVED ? view.expiresAt() : null));
  }
}
