package dev.slipway.events;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Payload of {@code approval.decided}: one decision about a manual promotion, so the audit store
 * and the run's timeline show who let what into which environment, and why it stopped counting. The
 * envelope's run, commit and subject are the run's whose image the approval is about.
 *
 * @param approvalId the approval
 * @param environment the environment the image would enter
 * @param image repository reference of the image
 * @param imageDigest the digest the approval is for
 * @param decision what happened
 * @param actor who decided: the approver's identity (OIDC subject, as {@code issuer-name/subject}
 *     or the token's user name for the local issuer), or {@code deploy-service} for expiry,
 *     revocation and supersede
 * @param reason why (a rejection's text, what revoked or superseded it); null for a vote
 * @param approvers who had approved so far, in order
 * @param required distinct approvers the environment needs
 * @param expiresAt when the approval stops being valid; null once it is final
 */
public record ApprovalDecided(
    String approvalId,
    String environment,
    String image,
    String imageDigest,
    Decision decision,
    String actor,
    String reason,
    List<String> approvers,
    int required,
    OffsetDateTime expiresAt) {

  public ApprovalDecided {
    Require.text(approvalId, "approvalId");
    Require.text(environment, "environment");
    Require.text(imageDigest, "imageDigest");
    Require.present(decision, "decision");
    Require.text(actor, "actor");
    approvers =
        approvers == null ? List.of() : List.copyOf(Require.noNulls(approvers, "approvers"));
    Require.notNegative(required, "required");
  }

  /** What a decision did to an approval. */
  public enum Decision {
    /** One approver's vote was counted; more are needed. */
    VOTED,
    /** Enough distinct approvers: the deploy was requested. */
    APPROVED,
    /** An approver closed it with a reason; nothing is deployed. */
    REJECTED,
    /**
     * It stopped counting before it was used: the same digest failed in an environment before this
     * one, or a newer release reached that environment.
     */
    REVOKED,
    /** Its time ran out before it was used. */
    EXPIRED,
    /** A newer run reached the environment before it was decided. */
    SUPERSEDED
  }
}
