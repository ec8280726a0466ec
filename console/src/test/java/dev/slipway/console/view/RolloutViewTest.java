package dev.slipway.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.RolloutDetail;
import dev.slipway.console.client.ApiModel.RolloutLogEntry;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Canary steps out of deploy-service's rollout log, as its messages state them. */
class RolloutViewTest {

  private static final OffsetDateTime T = OffsetDateTime.parse("2026-12-01T10:00:00Z");

  private static RolloutLogEntry entry(int step, String message) {
    return new RolloutLogEntry(T, "CANARY", step, message);
  }

  @Test
  void groupsTheLogByStepWithPodsAndSamples() {
    RolloutDetail detail =
        new RolloutDetail(
            new Rollout(
                "r",
                "run",
                "shop",
                "prod",
                "img",
                "sha256:1",
                "APPROVAL",
                "grace",
                "SUCCEEDED",
                "DONE",
                2,
                "local",
                "shop-prod",
                "CANARY",
                2L,
                "sha256:1",
                "ok",
                T,
                T,
                T),
            List.of(
                new RolloutLogEntry(T, "APPLY", 0, "applied Deployment demo-shop-canary"),
                entry(
                    0,
                    "canary step 1/3 (25%): canary 1 pods, stable 3 pods, traffic by replica ratio (25%)"),
                entry(0, "canary step 1/3 (25%): analysis passed (1 samples)"),
                entry(
                    1,
                    "canary step 2/3 (50%): canary 2 pods, stable 2 pods, traffic by replica ratio (50%)"),
                entry(1, "canary step 2/3 (50%): analysis passed (1 samples)"),
                new RolloutLogEntry(T, "DONE", 2, "SUCCEEDED: canary passed 2 steps")));

    List<RolloutView.StepGroup> groups = RolloutView.steps(detail);

    assertThat(groups)
        .extracting(RolloutView.StepGroup::title)
        .containsExactly("rollout", "canary step 1/3 (25%)", "canary step 2/3 (50%)", "rollout");
    RolloutView.StepGroup first = groups.get(1);
    assertThat(first.weight()).isEqualTo(25);
    assertThat(first.canaryPods()).isEqualTo(1);
    assertThat(first.stablePods()).isEqualTo(3);
    assertThat(first.samples()).hasSize(1);
    assertThat(first.entries()).hasSize(2);
    assertThat(groups.get(2).canaryPods()).isEqualTo(2);
    assertThat(groups.get(0).weight()).isNull();
    assertThat(groups.get(3).entries().get(0).message()).startsWith("SUCCEEDED");
  }
}
