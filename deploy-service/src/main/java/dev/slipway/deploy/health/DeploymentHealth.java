package dev.slipway.deploy.health;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Judges a Deployment the way {@code kubectl rollout status} and kstatus do, plus its pods:
 * complete when the controller observed the current generation and every replica is updated, ready
 * and available (ready for {@code minReadySeconds}) with no old pod left; failed on {@code
 * ProgressDeadlineExceeded}, on {@code ReplicaFailure} (pods refused by a quota, admission or pod
 * security: {@code FailedCreate}), or when any container of a new pod (init containers and sidecars
 * included) waits in CrashLoopBackOff or a like state; a pull error fails only once it outlasted
 * its grace period (registries blink); progressing otherwise.
 */
public final class DeploymentHealth {

  private static final Set<String> FAILING_WAITS =
      Set.of(
          "CrashLoopBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");
  private static final Set<String> PULL_ERRORS = Set.of("ImagePullBackOff", "ErrImagePull");

  private DeploymentHealth() {}

  /** How a Deployment (or any object) is doing. */
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
   * @param restarts container restarts of the pods running the new template
   */
  public record Verdict(State state, String detail, String failingPod, int restarts) {}

  /**
   * Judges {@code deployment} (null when missing), which should run {@code replicas} pods whose
   * first container runs {@code image}; pull errors fail at once.
   */
  public static Verdict judge(Deployment deployment, List<Pod> pods, String image, int replicas) {
    return judge(
        deployment,
        pods,
        pod ->
            !pod.getSpec().getContainers().isEmpty()
                && image.equals(pod.getSpec().getContainers().get(0).getImage()),
        replicas,
        Instant.now(),
        Duration.ZERO);
  }

  /**
   * Judges {@code deployment} as it is: its own {@code spec.replicas} (which an autoscaler may have
   * set) and the pods running its current template.
   */
  public static Verdict judge(
      Deployment deployment, List<Pod> pods, Instant now, Duration pullGrace) {
    if (deployment == null) {
      return new Verdict(State.FAILED, "the Deployment does not exist", null, 0);
    }
    List<String> images = images(deployment.getSpec().getTemplate().getSpec().getContainers());
    return judge(
        deployment,
        pods,
        pod -> images.equals(images(pod.getSpec().getContainers())),
        Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1),
        now,
        pullGrace);
  }

  private static Verdict judge(
      Deployment deployment,
      List<Pod> pods,
      Predicate<Pod> current,
      int replicas,
      Instant now,
      Duration pullGrace) {
    if (deployment == null) {
      return new Verdict(State.FAILED, "the Deployment does not exist", null, 0);
    }
    PodVerdict podVerdict = pods(pods.stream().filter(current).toList(), now, pullGrace);
    if (podVerdict.failed() != null) {
      return podVerdict.failed();
    }
    int restarts = podVerdict.restarts();
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
      if ("ReplicaFailure".equals(condition.getType()) && "True".equals(condition.getStatus())) {
        return new Verdict(
            State.FAILED,
            "ReplicaFailure (%s): %s"
                .formatted(
                    Objects.requireNonNullElse(condition.getReason(), "unknown"),
                    Objects.requireNonNullElse(condition.getMessage(), "")),
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
    if (!complete && total > updated) {
      // Ready and available count the old revision's pods too: say which ones are still serving,
      // or "ready 2/2" reads as done while none of the new pods is.
      long fresh = pods.stream().filter(current).count();
      detail +=
          "; %d of its %d pods still run the old revision%s"
              .formatted(
                  total - updated,
                  total,
                  fresh == 0
                      ? ""
                      : ", %d of the %d new ones ready".formatted(readyPods(pods, current), fresh));
    }
    if (podVerdict.waiting() != null) {
      detail += "; " + podVerdict.waiting();
    }
    return new Verdict(complete ? State.COMPLETE : State.PROGRESSING, detail, null, restarts);
  }

  private static long readyPods(List<Pod> pods, Predicate<Pod> current) {
    return pods.stream()
        .filter(current)
        .filter(
            pod ->
                pod.getStatus() != null
                    && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .count();
  }

  /**
   * What the pods of a new template tell: a failure, or a pull error still within its grace, and
   * their restarts.
   */
  record PodVerdict(Verdict failed, String waiting, int restarts) {}

  /** Looks at every container (init containers and sidecars included) of {@code pods}. */
  static PodVerdict pods(List<Pod> pods, Instant now, Duration pullGrace) {
    int restarts = 0;
    String waitingNote = null;
    for (Pod pod : pods) {
      for (ContainerStatus container : containers(pod)) {
        restarts += Objects.requireNonNullElse(container.getRestartCount(), 0);
      }
    }
    for (Pod pod : pods) {
      for (ContainerStatus container : containers(pod)) {
        String waiting =
            container.getState() != null && container.getState().getWaiting() != null
                ? container.getState().getWaiting().getReason()
                : null;
        if (waiting == null) {
          continue;
        }
        String name = pod.getMetadata().getName();
        if (FAILING_WAITS.contains(waiting)) {
          String detail =
              "pod "
                  + name
                  + " is in "
                  + waiting
                  + (containers(pod).size() > 1 ? " (container " + container.getName() + ")" : "")
                  + (container.getRestartCount() != null && container.getRestartCount() > 0
                      ? " (restarted " + container.getRestartCount() + " times)"
                      : "");
          return new PodVerdict(new Verdict(State.FAILED, detail, name, restarts), null, restarts);
        }
        if (PULL_ERRORS.contains(waiting)) {
          Duration failing = Duration.between(since(pod), now);
          if (failing.compareTo(pullGrace) >= 0) {
            String detail =
                "pod %s is in %s%s"
                    .formatted(
                        name,
                        waiting,
                        pullGrace.isZero()
                            ? ""
                            : " for %ds (grace %ds)"
                                .formatted(failing.toSeconds(), pullGrace.toSeconds()));
            return new PodVerdict(
                new Verdict(State.FAILED, detail, name, restarts), null, restarts);
          }
          waitingNote =
              "pod %s cannot pull its image yet (%s, %ds of a %ds grace)"
                  .formatted(name, waiting, failing.toSeconds(), pullGrace.toSeconds());
        }
      }
    }
    return new PodVerdict(null, waitingNote, restarts);
  }

  private static Instant since(Pod pod) {
    String start =
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : pod.getMetadata().getCreationTimestamp();
    try {
      return start == null ? Instant.now() : Instant.parse(start);
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private static List<String> images(List<Container> containers) {
    List<String> images = new ArrayList<>();
    for (Container container : containers) {
      images.add(container.getImage());
    }
    images.sort(null);
    return images;
  }

  private static List<ContainerStatus> containers(Pod pod) {
    if (pod.getStatus() == null) {
      return List.of();
    }
    List<ContainerStatus> all = new ArrayList<>(pod.getStatus().getInitContainerStatuses());
    all.addAll(pod.getStatus().getContainerStatuses());
    return all;
  }
}
