package dev.slipway.deploy;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A manual promotion of a run's image into an environment, waiting for distinct approvers.
 *
 * @param id the approval's id
 * @param application the application
 * @param environment the environment the image would enter
 * @param image repository reference of the image
 * @param imageDigest the digest that would be deployed
 * @param runId the pipeline run
 * @param commitSha the commit the run built
 * @param author who wrote that commit (may not approve it, nor may anyone who wrote, committed or
 *     pushed a commit of the change since the environment's release)
 * @param actor who pushed it or started the run (may not approve it)
 * @param required distinct approvers needed
 * @param approvals who approved so far, in order
 * @param status where it stands
 * @param reason why it was rejected or superseded
 * @param decidedBy who completed or rejected it
 * @param createdAt when the previous environment succeeded
 * @param decidedAt when it stopped being pending
 * @param expiresAt when it stops being valid unless a rollout used it before
 * @param usedBy the rollout it let into the environment, once one did
 */
public record Approval(
    String id,
    String application,
    String environment,
    String image,
    String imageDigest,
    String runId,
    String commitSha,
    String author,
    String actor,
    int required,
    List<Vote> approvals,
    ApprovalStatus status,
    String reason,
    String decidedBy,
    OffsetDateTime createdAt,
    OffsetDateTime decidedAt,
    OffsetDateTime expiresAt,
    String usedBy) {

  /**
   * One approver's approval.
   *
   * @param approver the approver's stable identity (the token's subject, qualified by its issuer)
   * @param name their user name
   * @param at when they approved
   */
  public record Vote(String approver, String name, OffsetDateTime at) {}
}
