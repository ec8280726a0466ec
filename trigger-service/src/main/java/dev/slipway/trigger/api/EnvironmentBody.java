package dev.slipway.trigger.api;

import java.util.List;

/**
 * One environment of an application's chain, as the API reads and writes it.
 *
 * @param name DNS label, unique in the chain
 * @param cluster the cluster's name in deploy-service's registry (DNS-1123 subdomain)
 * @param namespace Kubernetes namespace (DNS-1123 label)
 * @param promotion how a run ENTERS this environment from the one before it: {@code auto} at once
 *     after it succeeded there, {@code manual} after {@code requiredApprovals} distinct approvals.
 *     The first environment is entered when the scan passes; its promotion is not consulted
 * @param requiredApprovals distinct approvers a manual environment needs before a run enters it: at
 *     least 1, default 1; must be left out or 0 for an automatic one
 * @param strategy {@code rolling} or {@code canary}
 * @param canarySteps ascending traffic percentages ending at 100; canary only
 * @param deployment replicas, port, resources, probes, environment variables, timeout, traffic
 *     routing and canary analysis; every field optional (shown with its default)
 * @param approvalExpiry how long an approval into a manual environment stays valid, ISO-8601 (e.g.
 *     {@code PT8H}); left out: 24 hours
 */
public record EnvironmentBody(
    String name,
    String cluster,
    String namespace,
    String promotion,
    Integer requiredApprovals,
    String strategy,
    List<Integer> canarySteps,
    DeploymentBody deployment,
    String approvalExpiry) {

  /** An environment whose approvals expire after the default time. */
  public EnvironmentBody(
      String name,
      String cluster,
      String namespace,
      String promotion,
      Integer requiredApprovals,
      String strategy,
      List<Integer> canarySteps,
      DeploymentBody deployment) {
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
}
