package dev.slipway.events;

/**
 * Payload of {@code deploy.done}: the outcome of one rollout.
 *
 * @param environment the environment deployed to
 * @param cluster the cluster of that environment
 * @param namespace the namespace of that environment
 * @param status how the rollout ended
 * @param revision the Deployment revision now serving
 * @param reason a human-readable cause, e.g. why it was rolled back
 */
public record DeployDone(
    String environment,
    String cluster,
    String namespace,
    Status status,
    long revision,
    String reason) {

  public DeployDone {
    Require.text(environment, "environment");
    Require.text(cluster, "cluster");
    Require.text(namespace, "namespace");
    Require.present(status, "status");
  }

  /** How a rollout ended. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    ROLLED_BACK
  }
}
