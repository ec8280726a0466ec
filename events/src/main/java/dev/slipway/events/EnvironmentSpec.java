package dev.slipway.events;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * One environment of an application's chain.
 *
 * @param name e.g. dev, staging, prod
 * @param cluster the cluster name in deploy-service's registry
 * @param namespace the Kubernetes namespace
 * @param promotion how a run enters this environment from the one before it: at once ({@code AUTO})
 *     or after approval ({@code MANUAL}); the first environment is entered by the scan gate
 * @param requiredApprovals distinct approvers a manual promotion into this environment needs
 * @param strategy how the rollout replaces pods
 * @param canarySteps traffic percentages of a canary rollout, ascending; empty for rolling
 * @param deployment what runs there: replicas, port, resources, probes, environment, timeout,
 *     traffic routing and analysis; absent: the defaults of {@link DeploymentSettings}
 * @param approvalExpiry how long a granted or pending approval into this environment stays valid,
 *     an ISO-8601 duration such as {@code PT24H}; absent: {@link #DEFAULT_APPROVAL_EXPIRY}
 */
public record EnvironmentSpec(
    String name,
    String cluster,
    String namespace,
    Promotion promotion,
    int requiredApprovals,
    Strategy strategy,
    List<Integer> canarySteps,
    DeploymentSettings deployment,
    String approvalExpiry) {

  /** How long an approval stays valid unless the environment says otherwise. */
  public static final Duration DEFAULT_APPROVAL_EXPIRY = Duration.ofHours(24);

  public EnvironmentSpec {
    Require.text(name, "name");
    Require.text(cluster, "cluster");
    Require.text(namespace, "namespace");
    Require.present(promotion, "promotion");
    Require.notNegative(requiredApprovals, "requiredApprovals");
    Require.present(strategy, "strategy");
    canarySteps = canarySteps == null ? List.of() : List.copyOf(canarySteps);
    deployment = deployment == null ? DeploymentSettings.DEFAULTS : deployment;
    if (approvalExpiry != null) {
      Duration parsed;
      try {
        parsed = Duration.parse(approvalExpiry);
      } catch (DateTimeParseException e) {
        throw new EventFormatException(
            "approvalExpiry", "must be an ISO-8601 duration such as PT24H");
      }
      if (parsed.isNegative() || parsed.isZero()) {
        throw new EventFormatException("approvalExpiry", "must be positive");
      }
    }
  }

  /** An environment whose approvals expire after the default time. */
  public EnvironmentSpec(
      String name,
      String cluster,
      String namespace,
      Promotion promotion,
      int requiredApprovals,
      Strategy strategy,
      List<Integer> canarySteps,
      DeploymentSettings deployment) {
    this(
        name,
        cluster,
        namespace,
        promotion,
        requiredApprovals,
        strategy,
        canarySteps,
        deployment,
        null);
  }

  /** How long an approval into this environment stays valid. */
  public Duration approvalValidity() {
    return approvalExpiry == null ? DEFAULT_APPROVAL_EXPIRY : Duration.parse(approvalExpiry);
  }

  /** An environment with the default deployment settings. */
  public EnvironmentSpec(
      String name,
      String cluster,
      String namespace,
      Promotion promotion,
      int requiredApprovals,
      Strategy strategy,
      List<Integer> canarySteps) {
    this(
        name,
        cluster,
        namespace,
        promotion,
        requiredApprovals,
        strategy,
        canarySteps,
        DeploymentSettings.DEFAULTS);
  }

  /** How a run moves into this environment. */
  public enum Promotion {
    AUTO,
    MANUAL
  }

  /** How a rollout replaces the running version. */
  public enum Strategy {
    ROLLING,
    CANARY
  }
}
