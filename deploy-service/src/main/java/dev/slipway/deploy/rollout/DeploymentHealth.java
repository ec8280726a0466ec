package dev.slipway.deploy.rollout;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Judges a Deployment the way {@code kubectl rollout status} does, plus its pods: complete when the
 * controller observed the current generation and every replica is updated, ready and available with
 * no old pod left; failed on {@code ProgressDeadlineExceeded} or when a pod of the new image waits
 * in CrashLoopBackOff, ImagePullBackOff or a like state; progressing otherwise.
 */
public final class DeploymentHealth {

  private static final Set<String> FAILING_WAITS =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private DeploymentHealth() {}

  /** How a Deployment is doing. */
  public enum State {
    COMPLETE,
    PROGRESSING,
    FAILED
  }

  /**
   * A judgement.
   *
   * @param state the verdict
   * @param detail what it is based on, e.g. {@code 2/3 ready} or the failing pod's state
   * @param failingPod the pod whose state failed the rollout, if one did
   * @param restarts container restarts of the pods running the image
   */
  public record Verdict(State state, String detail, String failingPod, int restarts) {}

  /**
   * Judges {@code deployment} (null when missing), which should run {@code replicas} pods of {@code
   * image}; {@code pods} are the pods its selector selects.
   */
  public static Verdict judge(Deployment deployment, List<Pod> pods, String image, int replicas) {
    if (deployment == null) {
      return new Verdict(State.FAILED, "the Deployment does not exist", null, 0);
    }
    List<Pod> current = pods.stream().filter(pod -> image.equals(imageOf(pod))).toList();
    int restarts = 0;
    for (Pod pod : current) {
      for (ContainerStatus container : containers(pod)) {
        restarts += Objects.requireNonNullElse(container.getRestartCount(), 0);
        String waiting =
            container.getState() != null && container.getState().getWaiting() != null
                ? container.getState().getWaiting().getReason()
                : null;
        if (waiting != null && FAILING_WAITS.contains(waiting)) {
          String detail =
              "pod "
                  + pod.getMetadata().getName()
                  + " is in "
                  + waiting
                  + (container.getRestartCount() != null && container.getRestartCount() > 0
                      ? " (restarted " + container.getRestartCount() + " times)"
                      : "");
          return new Verdict(State.FAILED, detail, pod.getMetadata().getName(), restarts);
        }
      }
    }
    DeploymentStatus status = deployment.getStatus();
    if (status == null) {
      return new Verdict(State.PROGRESSING, "waiting for the controller", null, restarts);
    }
    long generation = Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 0L);
    long observed = Objects.requireNonNullElse(status.getObservedGeneration(), 0L);
    if (observed < generation) {
      // The status still describes the spec before the last apply (e.g. the failed one a rollback
      // replaced); like kubectl rollout status, judge nothing until the controller observed it.
      return new Verdict(
          State.PROGRESSING,
          "waiting for the controller to observe generation " + generation,
          null,
          restarts);
    }
    for (DeploymentCondition condition : status.getConditions()) {
      if ("Progressing".equals(condition.getType())
          && "ProgressDeadlineExceeded".equals(condition.getReason())) {
        return new Verdict(
            State.FAILED,
            "ProgressDeadlineExceeded: " + Objects.requireNonNullElse(condition.getMessage(), ""),
            null,
            restarts);
      }
    }
    int updated = count(status.getUpdatedReplicas());
    int ready = count(status.getReadyReplicas());
    int available = count(status.getAvailableReplicas());
    int total = count(status.getReplicas());
    String detail =
        "updated %d/%d, ready %d/%d, available %d/%d"
            .formatted(updated, replicas, ready, replicas, available, replicas);
    boolean complete =
        updated == replicas && ready == replicas && available == replicas && total == replicas;
    return new Verdict(complete ? State.COMPLETE : State.PROGRESSING, detail, null, restarts);
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private static String imageOf(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()
        ? null
        : pod.getSpec().getContainers().get(0).getImage();
  }

  private static List<ContainerStatus> containers(Pod pod) {
    return pod.getStatus() == null ? List.of() : pod.getStatus().getContainerStatuses();
  }
}
