package dev.slipway.events;

import java.util.List;

/**
 * Payload of {@code deploy.requested}: put an image into one environment.
 *
 * @param environment the target environment of the application's chain
 * @param image repository reference of the image
 * @param imageDigest content digest the rollout pins
 * @param reason why the deploy is asked for
 * @param requestedBy a user, or the service that asked
 * @param run where the run came from (author, actor, the pipeline the run follows)
 * @param approvers who approved it, for reason APPROVAL; empty otherwise
 * @param revision the release revision to restore, for reason ROLLBACK; null otherwise
 * @param approvalId the approval deploy-service granted, for reason APPROVAL; deploy-service
 *     applies a request into a manual environment only when it holds that approval, granted, for
 *     this digest. Null otherwise and in events written before this field
 * @param manifests the rendered manifests of the build, when the application has its own; absent:
 *     deploy-service generates a Deployment and a Service (or reuses what the image's earlier
 *     rollouts recorded)
 */
public record DeployRequested(
    String environment,
    String image,
    String imageDigest,
    Reason reason,
    String requestedBy,
    RunContext run,
    List<String> approvers,
    Long revision,
    String approvalId,
    RenderedManifests manifests) {

  public DeployRequested {
    Require.text(environment, "environment");
    Require.text(image, "image");
    Require.text(imageDigest, "imageDigest");
    Require.present(reason, "reason");
    Require.text(requestedBy, "requestedBy");
    approvers =
        approvers == null ? List.of() : List.copyOf(Require.noNulls(approvers, "approvers"));
  }

  /** A request that names no approval and carries no rendered manifests. */
  public DeployRequested(
      String environment,
      String image,
      String imageDigest,
      Reason reason,
      String requestedBy,
      RunContext run,
      List<String> approvers,
      Long revision) {
    this(
        environment, image, imageDigest, reason, requestedBy, run, approvers, revision, null, null);
  }

  /** A request without run context, approvers or revision. */
  public DeployRequested(
      String environment, String image, String imageDigest, Reason reason, String requestedBy) {
    this(environment, image, imageDigest, reason, requestedBy, null, List.of(), null);
  }

  /** Why a deploy was requested. */
  public enum Reason {
    SCAN_PASSED,
    PROMOTION,
    APPROVAL,
    MANUAL,
    ROLLBACK
  }
}
