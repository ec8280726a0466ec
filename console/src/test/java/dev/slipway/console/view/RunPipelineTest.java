package dev.slipway.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Environment;
import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.Scan;
import dev.slipway.console.client.ApiModel.TestCounts;
import dev.slipway.console.client.ApiModel.Vote;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A run's stages from what the services say, one case per way a run ends. */
class RunPipelineTest {

  private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-12-01T10:00:00Z");
  private static final List<Environment> CHAIN =
      List.of(env("dev", "auto"), env("staging", "auto"), env("prod", "manual"));

  private static Environment env(String name, String promotion) {
    return new Environment(name, "local", "shop-" + name, promotion, 1, "rolling", List.of());
  }

  private static Build build(String status) {
    return new Build(
        "b1",
        "r1",
        1,
        "shop",
        "abc",
        "refs/heads/main",
        status,
        null,
        T0,
        T0,
        T0.plusNanos(500_000_000),
        500L,
        null,
        new TestCounts(2, 0, 0),
        null,
        Map.of(),
        null,
        List.of());
  }

  private static Scan scan(String status, int critical) {
    return new Scan(
        "s1",
        "shop",
        "r1",
        "abc",
        "img",
        "sha256:1",
        status,
        null,
        null,
        List.of(),
        "db",
        Map.of("CRITICAL", critical, "HIGH", 0, "MEDIUM", 0, "LOW", 0),
        3,
        T0.plusSeconds(1),
        T0.plusSeconds(1).plusNanos(100_000_000),
        List.of(),
        List.of());
  }

  private static Rollout rollout(String id, String env, String status, String outcome) {
    return new Rollout(
        id,
        "r1",
        "shop",
        env,
        "img",
        "sha256:1",
        "SCAN_PASSED",
        "scan-service",
        status,
        "DONE",
        0,
        "local",
        "shop-" + env,
        "ROLLING",
        2L,
        "sha256:1",
        outcome,
        T0.plusSeconds(2),
        T0.plusSeconds(2),
        T0.plusSeconds(4));
  }

  @Test
  void aRunWaitingForProductionShowsEveryStageAndTheApproval() {
    Approval pending =
        new Approval(
            "a1",
            "shop",
            "prod",
            "img",
            "sha256:1",
            "r1",
            "abc",
            "ada",
            "ada",
            1,
            List.of(),
            "PENDING",
            null,
            null,
            T0.plusSeconds(5),
            null);
    List<RunPipeline.Stage> stages =
        RunPipeline.of(
            CHAIN,
            Optional.of(build("SUCCEEDED")),
            Optional.of(scan("PASSED", 0)),
            List.of(
                rollout("d1", "dev", "SUCCEEDED", "ok"),
                rollout("s1", "staging", "SUCCEEDED", "ok")),
            List.of(pending));

    assertThat(stages)
        .extracting(RunPipeline.Stage::name)
        .containsExactly("build", "scan", "dev", "staging", "prod");
    assertThat(stages)
        .extracting(RunPipeline.Stage::status)
        .containsExactly("SUCCEEDED", "PASSED", "SUCCEEDED", "SUCCEEDED", "WAITING");
    assertThat(stages.get(0).detail()).isEqualTo("tests 2 passed, 0 failed");
    assertThat(stages.get(0).duration()).isEqualTo("500 ms");
    assertThat(stages.get(0).link()).isEqualTo("/builds/b1");
    assertThat(stages.get(1).detail()).isEqualTo("critical 0, high 0, medium 0, low 0");
    assertThat(stages.get(1).duration()).isEqualTo("100 ms");
    assertThat(stages.get(2).duration()).isEqualTo("2.0 s");
    assertThat(stages.get(4).detail()).isEqualTo("waits for approval (0 of 1)");
    assertThat(stages.get(4).link()).isEqualTo("/approvals#approval-a1");
    assertThat(RunPipeline.live(stages)).isFalse();
  }

  @Test
  void aRunStoppedByTheScanReachesNoEnvironment() {
    List<RunPipeline.Stage> stages =
        RunPipeline.of(
            CHAIN,
            Optional.of(build("SUCCEEDED")),
            Optional.of(scan("FAILED", 1)),
            List.of(),
            List.of());
    assertThat(stages)
        .extracting(RunPipeline.Stage::status)
        .containsExactly("SUCCEEDED", "FAILED", "NOT_REACHED", "NOT_REACHED", "NOT_REACHED");
    assertThat(stages.get(1).detail()).startsWith("critical 1");
    assertThat(stages.get(2).link()).isNull();
  }

  @Test
  void aRolledBackEnvironmentSaysWhyAndTheApprovedOneWhoApproved() {
    Approval approved =
        new Approval(
            "a1",
            "shop",
            "prod",
            "img",
            "sha256:1",
            "r1",
            "abc",
            "ada",
            "ada",
            1,
            List.of(new Vote("grace", T0)),
            "APPROVED",
            null,
            "grace",
            T0,
            T0);
    List<RunPipeline.Stage> stages =
        RunPipeline.of(
            CHAIN,
            Optional.of(build("SUCCEEDED")),
            Optional.of(scan("PASSED", 0)),
            List.of(
                rollout(
                    "d1",
                    "dev",
                    "ROLLED_BACK",
                    "ProgressDeadlineExceeded; rolled back to revision 1"),
                rollout("p1", "prod", "SUCCEEDED", "canary passed")),
            List.of(approved));
    assertThat(stages.get(2).status()).isEqualTo("ROLLED_BACK");
    assertThat(stages.get(2).detail()).contains("rolled back to revision 1");
    assertThat(stages.get(4).detail()).isEqualTo("approved by grace; canary passed");
  }

  @Test
  void aRunningBuildKeepsThePageLive() {
    List<RunPipeline.Stage> stages =
        RunPipeline.of(
            CHAIN, Optional.of(build("RUNNING")), Optional.empty(), List.of(), List.of());
    assertThat(RunPipeline.live(stages)).isTrue();
    assertThat(stages.get(1).status()).isEqualTo("NOT_REACHED");
  }
}
