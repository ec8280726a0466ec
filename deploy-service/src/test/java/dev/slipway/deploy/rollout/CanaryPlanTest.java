package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanaryPlanTest {

  /**
   * Computed by hand: canary = ceil(replicas * weight / 100), at least 1. Without a route the
   * stable Deployment runs the rest, at least 1 below 100% and none at 100%; with a route it keeps
   * every replica. The share is canary / (canary + stable), rounded.
   */
  @ParameterizedTest(name = "{0} replicas at {1}% (route: {2}) -> canary {3}, stable {4}")
  @CsvSource({
    // replicas, weight, routed, canary, stable, share %
    "1,  10,  false, 1, 1, 50",
    "1,  100, false, 1, 0, 100",
    "2,  50,  false, 1, 1, 50",
    "3,  10,  false, 1, 2, 33",
    "3,  50,  false, 2, 1, 67",
    "4,  25,  false, 1, 3, 25",
    "4,  50,  false, 2, 2, 50",
    "4,  100, false, 4, 0, 100",
    "5,  90,  false, 5, 1, 83",
    "10, 25,  false, 3, 7, 30",
    "10, 33,  false, 4, 6, 40",
    "10, 1,   false, 1, 9, 10",
    "3,  20,  true,  1, 3, 25",
    "3,  60,  true,  2, 3, 40",
    "3,  100, true,  3, 3, 50",
  })
  void replicasPerWeight(
      int replicas, int weight, boolean routed, int canary, int stable, int sharePercent) {
    CanaryPlan.Step step = CanaryPlan.step(replicas, weight, routed);

    assertThat(step.weight()).isEqualTo(weight);
    assertThat(step.canaryReplicas()).isEqualTo(canary);
    assertThat(step.stableReplicas()).isEqualTo(stable);
    assertThat(step.replicaSharePercent()).isEqualTo(sharePercent);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -5, 101})
  void weightOutsideOneToHundredIsRefused(int weight) {
    assertThatThrownBy(() -> CanaryPlan.step(4, weight, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(weight));
  }
}
