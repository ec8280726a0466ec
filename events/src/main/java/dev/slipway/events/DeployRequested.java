package dev.slipway.events;

/**
 * Payload of {@code deploy.requested}: put an image into one environment.
 *
 * @param environment the target environment of the application's chain
 * @param image repository reference of the image
 * @param imageDigest content digest the rollout pins
 * @param reason why the deploy is asked for
 * @param requestedBy a user, or the service that asked
 */
public record DeployRequested(
    String environment, String image, String imageDigest, Reason reason, String requestedBy) {

  public DeployRequested {
    Require.text(environment, "environment");
    Require.text(image, "image");
    Require.text(imageDigest, "imageDigest");
    Require.present(reason, "reason");
    Require.text(requestedBy, "requestedBy");
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
