package dev.slipway.trigger.api;

import java.util.List;

/**
 * One environment of an application's chain, as the API reads and writes it.
 *
 * @param name DNS label, unique in the chain
 * @param cluster the cluster's name in deploy-service's registry
 * @param namespace Kubernetes namespace (DNS label)
 * @param promotion {@code auto} or {@code manual}: how a run moves on from this environment
 * @param requiredApprovals approvals a manual promotion into this environment needs (default 0)
 * @param strategy {@code rolling} or {@code canary}
 * @param canarySteps ascending traffic percentages ending at 100; canary only
 */
public record EnvironmentBody(
    String name,
    String cluster,
    String namespace,
    String promotion,
    Integer requiredApprovals,
    String strategy,
    List<Integer> canarySteps) {}
