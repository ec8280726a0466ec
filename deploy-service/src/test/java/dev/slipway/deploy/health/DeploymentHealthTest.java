package dev.slipway.deploy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentHealthTest {

  private static final String NEW = "r/shop@sha256:" + "2".repeat(64);
  private static final String OLD = "r/shop@sha256:" + "1".repeat(64);

  @Test
  void completeWhenTheCurrentGenerationIsFullyUpdatedReadyAndAvailable() {
    var verdict = DeploymentHealth.judge(deployment(3, 3, 3, 3, 3, 3, null), List.of(), NEW, 3);

    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.COMPLETE);
  }

  @Test
  void progressingWhileTheControllerHasNotSeenTheNewGenerationOrOldPodsRemain() {
    assertThat(
            DeploymentHealth.judge(deployment(4, 3, 3, 3, 3, 3, null), List.of(), NEW, 3).state())
        .isEqualTo(DeploymentHealth.State.PROGRESSING);
    var verdict = DeploymentHealth.judge(deployment(3, 3, 5, 3, 3, 3, null), List.of(), NEW, 3);
    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.PROGRESSING);
    // Ready and available count the old pods too: the detail says so, or it would read as done.
    assertThat(verdict.detail())
        .isEqualTo(
            "updated 3/3, ready 3/3, available 3/3; 2 of its 5 pods still run the old revision");
  }

  @Test
  void aNewRevisionThatNeverGetsReadyIsNotDescribedAsReadyByItsOldPods() {
    // The old revision's two pods keep serving (they are what "ready 2/2" counts) while the two
    // pods of the new image never get ready: the detail, which a timed-out rollback quotes, says
    // so.
    List<Pod> pods =
        List.of(
            pod("shop-new-1", NEW, null, 0),
            pod("shop-new-2", NEW, null, 0),
            pod("shop-old-1", OLD, null, 0),
            pod("shop-old-2", OLD, null, 0));

    var verdict = DeploymentHealth.judge(deployment(3, 3, 4, 2, 2, 2, null), pods, NEW, 2);

    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.PROGRESSING);
    assertThat(verdict.detail())
        .isEqualTo(
            "updated 2/2, ready 2/2, available 2/2; 2 of its 4 pods still run the old revision,"
                + " 0 of the 2 new ones ready");
  }

  @Test
  void failedOnProgressDeadlineExceeded() {
    var verdict =
        DeploymentHealth.judge(
            deployment(2, 2, 4, 2, 2, 2, "ProgressDeadlineExceeded"), List.of(), NEW, 2);

    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.FAILED);
    assertThat(verdict.detail()).startsWith("ProgressDeadlineExceeded");
  }

  @Test
  void aDeadlineOfTheSpecBeforeTheLastApplyIsNotAVerdictOnTheNewOne() {
    // A rollback re-applies the last good spec (generation 3) while the status still says the
    // failed one (generation 2) timed out: nothing is judged until the controller observed 3.
    var verdict =
        DeploymentHealth.judge(
            deployment(3, 2, 4, 2, 2, 2, "ProgressDeadlineExceeded"), List.of(), OLD, 2);

    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.PROGRESSING);
    assertThat(verdict.detail()).contains("generation 3");
  }

  @Test
  void failedWhenAPodOfTheNewImageCrashLoopsButNotForAnOldOne() {
    List<Pod> pods =
        List.of(pod("shop-new", NEW, "CrashLoopBackOff", 4), pod("shop-old", OLD, null, 0));

    var verdict = DeploymentHealth.judge(deployment(2, 2, 3, 1, 1, 1, null), pods, NEW, 2);

    assertThat(verdict.state()).isEqualTo(DeploymentHealth.State.FAILED);
    assertThat(verdict.detail())
        .isEqualTo("pod shop-new is in CrashLoopBackOff (restarted 4 times)");
    assertThat(verdict.failingPod()).isEqualTo("shop-new");
    assertThat(verdict.restarts()).isEqualTo(4);
    assertThat(DeploymentHealth.judge(deployment(2, 2, 3, 1, 1, 1, null), pods, OLD, 2).state())
        .isEqualTo(DeploymentHealth.State.PROGRESSING);
  }

  @Test
  void missingDeploymentIsAFailure() {
    assertThat(DeploymentHealth.judge(null, List.of(), NEW, 1).state())
        .isEqualTo(DeploymentHealth.State.FAILED);
  }

  private static Deployment deployment(
      long generation,
      long observed,
      int total,
      int updated,
      int ready,
      int available,
      String deadline) {
    DeploymentBuilder builder =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("shop")
            .withGeneration(generation)
            .endMetadata()
            .withNewStatus()
            .withObservedGeneration(observed)
            .withReplicas(total)
            .withUpdatedReplicas(updated)
            .withReadyReplicas(ready)
            .withAvailableReplicas(available)
            .endStatus();
    if (deadline != null) {
      builder
          .editStatus()
          .addNewCondition()
          .withType("Progressing")
          .withStatus("False")
          .withReason(deadline)
          .withMessage("ReplicaSet \"shop-abc\" has timed out progressing.")
          .endCondition()
          .endStatus();
    }
    return builder.build();
  }

  private static Pod pod(String name, String image, String waiting, int restarts) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(image)
            .endContainer()
            .endSpec();
    var status =
        pod.withNewStatus().addNewContainerStatus().withName("app").withRestartCount(restarts);
    if (waiting != null) {
      status.withNewState().withNewWaiting().withReason(waiting).endWaiting().endState();
    }
    return status.endContainerStatus().endStatus().build();
  }
}
