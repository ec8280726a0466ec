package dev.slipway.deploy.rollout;

/**
 * How many pods the canary and the stable Deployment run at a canary weight.
 *
 * <p>The canary gets {@code ceil(replicas * weight / 100)} pods, at least one. Without an
 * HTTPRoute, traffic follows the replica ratio, so the stable Deployment shrinks to what is left,
 * keeping at least one pod below 100%; at 100% it runs none. With an HTTPRoute the route's weights
 * split traffic, so the stable Deployment keeps all its replicas until promotion (as Argo Rollouts
 * does with traffic routing).
 */
public final class CanaryPlan {

  private CanaryPlan() {}

  /**
   * One canary step.
   *
   * @param weight the traffic percentage the step asks for
   * @param canaryReplicas pods of the canary Deployment
   * @param stableReplicas pods of the stable Deployment
   */
  public record Step(int weight, int canaryReplicas, int stableReplicas) {

    /** The share of pods that run the canary, in percent, which is its traffic without a route. */
    public int replicaSharePercent() {
      return Math.round(100f * canaryReplicas / (canaryReplicas + stableReplicas));
    }
  }

  /**
   * The step at {@code weight} percent of an environment with {@code replicas} pods.
   *
   * @param routed whether an HTTPRoute's weights split the traffic
   */
  public static Step step(int replicas, int weight, boolean routed) {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1");
    }
    if (weight < 1 || weight > 100) {
      throw new IllegalArgumentException("a canary weight is between 1 and 100, not " + weight);
    }
    int canary = Math.max(1, (replicas * weight + 99) / 100);
    int stable;
    if (routed) {
      stable = replicas;
    } else if (weight >= 100) {
      stable = 0;
    } else {
      stable = Math.max(1, replicas - canary);
    }
    return new Step(weight, canary, stable);
  }
}
