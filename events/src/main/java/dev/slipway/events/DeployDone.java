package dev.slipway.events;

/**
 * Payload of {@code deploy.done}: the outcome of one rollout.
 *
 * @param environment the environment deployed to
 * @param cluster the cluster of that environment
 * @param namespace the namespace of that environment
 * @param status how the rollout ended
 * @param revision the release revision now serving (the restored one after a rollback; 0 when none)
 * @param reason a human-readable cause, e.g. which check failed at which step and what was restored
 * @param image repository reference of the image the rollout was asked to put in place
 * @param imageDigest the digest the rollout was asked to put in place
 * @param servingDigest the digest serving when the rollout ended (the restored one after a
 *     rollback; null when nothing serves)
 * @param strategy how the rollout replaced pods
 * @param requestReason why the rollout was asked for
 * @param durationMs wall time from the start of the rollout to its outcome; null when unknown
 */
public record DeployDone(
    String environment,
    String cluster,
    String namespace,
    Status status,
    long revision,
    String reason,
    String image,
    String imageDigest,
    String servingDigest,
    EnvironmentSpec.Strategy strategy,
    DeployRequested.Reason requestReason,
    Long durationMs) {

  public DeployDone {
    Require.text(environment, "environment");
    Require.text(cluster, "cluster");
    Require.text(namespace, "namespace");
    Require.present(status, "status");
  }

  /** An outcome that names no image, strategy or duration. */
  public DeployDone(
      String environment,
      String cluster,
      String namespace,
      Status status,
      long revision,
      String reason) {
    this(
        environment,
        cluster,
        namespace,
        status,
        revision,
        reason,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** How a rollout ended. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    ROLLED_BACK
  }
}
