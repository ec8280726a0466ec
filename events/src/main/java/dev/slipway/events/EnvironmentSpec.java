package dev.slipway.events;

import java.util.List;

/**
 * One environment of an application's chain.
 *
 * @param name e.g. dev, staging, prod
 * @param cluster the cluster name in deploy-service's registry
 * @param namespace the Kubernetes namespace
 * @param promotion whether the next environment follows automatically or needs approval
 * @param requiredApprovals approvals needed before a manual promotion into this environment
 * @param strategy how the rollout replaces pods
 * @param canarySteps traffic percentages of a canary rollout, ascending; empty for rolling
 */
public record EnvironmentSpec(
    String name,
    String cluster,
    String namespace,
    Promotion promotion,
    int requiredApprovals,
    Strategy strategy,
    List<Integer> canarySteps) {

  public EnvironmentSpec {
    Require.text(name, "name");
    Require.text(cluster, "cluster");
    Require.text(namespace, "namespace");
    Require.present(promotion, "promotion");
    Require.notNegative(requiredApprovals, "requiredApprovals");
    Require.present(strategy, "strategy");
    canarySteps = canarySteps == null ? List.of() : List.copyOf(canarySteps);
  }

  /** How a run moves into the next environment. */
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
