package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the kubelet reports about pods in the sandbox: pods are made for an owner (a ReplicaSet, a
 * StatefulSet, a Job), and their status follows the {@link Behaviour} of their image over time:
 * ready after {@code readyAfter}, never ready, crash-looping, unable to pull, or (for a Job's pods)
 * completed. Init containers have completed; containers beside the first (sidecars) run and are
 * ready. Warning events are recorded as a kubelet records them.
 */
final class Kubelet {

  /** The annotation holding when a simulated pod started, to the millisecond. */
  static final String STARTED_AT = "sandbox.slipway.dev/started-at";

  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesClient client;
  private final RolloutSimulator.Settings settings;

  Kubelet(KubernetesClient client, RolloutSimulator.Settings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** How a pod ends, for pods that run to completion (a Job's). */
  enum Completion {
    /** Pods run until deleted. */
    NEVER,
    /** Pods run to completion. */
    RUN_TO_COMPLETION
  }

  /** Creates a pod of {@code owner} named {@code name} from {@code template}. */
  Pod create(
      HasMetadata owner,
      String name,
      PodTemplateSpec template,
      Map<String, String> labels,
      Behaviour behaviour,
      Completion completion,
      Instant now) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(owner.getMetadata().getNamespace())
            .withLabels(labels)
            .addToAnnotations(STARTED_AT, now.toString())
            .withOwnerReferences(ownerReference(owner))
            .endMetadata()
            .withSpec(template.getSpec())
            .editSpec()
            .withNodeName("sandbox-node")
            .endSpec()
            .build();
    pod.setStatus(status(pod, behaviour, completion, now));
    Pod created = client.pods().resource(pod).create();
    String image = image(created);
    switch (behaviour) {
      case IMAGE_PULL_ERROR ->
          warn(created, "Failed", "Failed to pull image \"" + image + "\": manifest unknown");
      case CRASH_LOOP ->
          warn(
              created,
              "BackOff",
              "Back-off restarting failed container " + containerName(created) + " in pod " + name);
      case NEVER_READY ->
          warn(created, "Unhealthy", "Readiness probe failed: the container does not answer");
      default -> {}
    }
    return created;
  }

  /** Updates each pod's status to what it is at {@code now}; returns the pods as stored. */
  List<Pod> refresh(List<Pod> pods, Behaviour behaviour, Completion completion, Instant now) {
    List<Pod> result = new ArrayList<>(pods.size());
    for (Pod pod : pods) {
      PodStatus status = status(pod, behaviour, completion, now);
      if (!status.equals(pod.getStatus())) {
        pod.setStatus(status);
        pod = client.pods().resource(pod).updateStatus();
      }
      result.add(pod);
    }
    return result;
  }

  /** The status the kubelet would report for {@code pod} at {@code now}. */
  PodStatus status(Pod pod, Behaviour behaviour, Completion completion, Instant now) {
    Instant started = startedAt(pod);
    long age = Duration.between(started, now).toMillis();
    String startedAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
    List<Container> containers = pod.getSpec().getContainers();
    String image = containers.get(0).getImage();
    ContainerStatusBuilder app =
        new ContainerStatusBuilder()
            .withName(containers.get(0).getName())
            .withImage(image)
            .withImageID(image)
            .withRestartCount(0);
    boolean ready = false;
    String phase = "Running";
    switch (behaviour) {
      case AVAILABLE -> {
        boolean up = age >= settings.readyAfter().toMillis();
        if (completion == Completion.RUN_TO_COMPLETION && up) {
          phase = "Succeeded";
          app.withStarted(false)
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .endTerminated()
              .endState();
        } else {
          ready = up;
          app.withStarted(true).withNewState().withNewRunning(startedAt).endState();
        }
      }
      case NEVER_READY -> app.withStarted(true).withNewState().withNewRunning(startedAt).endState();
      case CRASH_LOOP -> {
        if (completion == Completion.RUN_TO_COMPLETION
            && age >= settings.restartEvery().toMillis()) {
          phase = "Failed";
          app.withStarted(false)
              .withNewState()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .endTerminated()
              .endState();
        } else {
          int restarts = 1 + (int) (age / Math.max(1, settings.restartEvery().toMillis()));
          app.withStarted(false)
              .withRestartCount(restarts)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .withMessage(
                  "back-off restarting failed container="
                      + containerName(pod)
                      + " pod="
                      + pod.getMetadata().getName())
              .endWaiting()
              .endState()
              .withNewLastState()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .endTerminated()
              .endLastState();
        }
      }
      case IMAGE_PULL_ERROR -> {
        phase = "Pending";
        boolean backingOff = age >= settings.restartEvery().toMillis();
        app.withStarted(false)
            .withImageID("")
            .withNewState()
            .withNewWaiting()
            .withReason(backingOff ? "ImagePullBackOff" : "ErrImagePull")
            .withMessage("Back-off pulling image \"" + image + "\"")
            .endWaiting()
            .endState();
      }
      default -> throw new IllegalStateException(behaviour.name());
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    statuses.add(app.withReady(ready).build());
    for (Container sidecar : containers.subList(1, containers.size())) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(sidecar.getName())
              .withImage(sidecar.getImage())
              .withImageID(sidecar.getImage())
              .withRestartCount(0)
              .withStarted(true)
              .withReady(true)
              .withNewState()
              .withNewRunning(startedAt)
              .endState()
              .build());
    }
    List<ContainerStatus> inits = new ArrayList<>();
    for (Container init : pod.getSpec().getInitContainers()) {
      inits.add(
          new ContainerStatusBuilder()
              .withName(init.getName())
              .withImage(init.getImage())
              .withImageID(init.getImage())
              .withRestartCount(0)
              .withReady(true)
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .endTerminated()
              .endState()
              .build());
    }
    String readiness = ready ? "True" : "False";
    String readySince =
        ready
            ? started.plus(settings.readyAfter()).truncatedTo(ChronoUnit.MILLIS).toString()
            : startedAt;
    List<PodCondition> conditions =
        List.of(
            condition("PodScheduled", "True", startedAt),
            condition("Initialized", "True", startedAt),
            condition("ContainersReady", readiness, readySince),
            condition("Ready", readiness, readySince));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withContainerStatuses(statuses)
        .withInitContainerStatuses(inits)
        .withHostIP("10.0.0.1")
        .withStartTime(startedAt)
        .build();
  }

  /** When a pod's status will next change by itself, or null when it will not. */
  Instant nextChange(List<Pod> pods, Behaviour behaviour, int minReadySeconds, Instant now) {
    if (behaviour == Behaviour.AVAILABLE || behaviour == Behaviour.IMAGE_PULL_ERROR) {
      Duration wait =
          behaviour == Behaviour.AVAILABLE
              ? settings.readyAfter().plusSeconds(minReadySeconds)
              : settings.restartEvery();
      for (Pod pod : pods) {
        Instant change = startedAt(pod).plus(wait);
        if (change.isAfter(now)) {
          return change;
        }
      }
    }
    return null;
  }

  /** Whether the pod is ready. */
  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Whether the pod has been ready for at least {@code minReadySeconds} at {@code now}. */
  boolean available(Pod pod, int minReadySeconds, Instant now) {
    return ready(pod)
        && !startedAt(pod).plus(settings.readyAfter()).plusSeconds(minReadySeconds).isAfter(now);
  }

  /** The pods owned by {@code owner} (by uid), oldest first. */
  List<Pod> podsOf(HasMetadata owner, Map<String, String> selector) {
    String uid = owner.getMetadata().getUid();
    return client
        .pods()
        .inNamespace(owner.getMetadata().getNamespace())
        .withLabels(selector)
        .list()
        .getItems()
        .stream()
        .filter(pod -> ownedBy(pod, uid))
        .sorted(Comparator.comparing(Kubelet::startedAt))
        .toList();
  }

  /** Records a warning event about {@code object}, from {@code component}. */
  void warn(HasMetadata object, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .v1()
        .events()
        .inNamespace(object.getMetadata().getNamespace())
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(object.getMetadata().getName() + "." + suffix())
                .withNamespace(object.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withKind(object.getKind())
                .withApiVersion(object.getApiVersion())
                .withName(object.getMetadata().getName())
                .withNamespace(object.getMetadata().getNamespace())
                .withUid(object.getMetadata().getUid())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource(object instanceof Pod ? "kubelet" : "controller", "sandbox-node")
                .build())
        .create();
  }

  static Instant startedAt(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String started = annotations == null ? null : annotations.get(STARTED_AT);
    return started == null ? Instant.EPOCH : Instant.parse(started);
  }

  static boolean ownedBy(HasMetadata object, String uid) {
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(owner -> Objects.equals(uid, owner.getUid()));
  }

  static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static String suffix() {
    StringBuilder suffix = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return suffix.toString();
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  private static String containerName(Pod pod) {
    return pod.getSpec().getContainers().get(0).getName();
  }

  private static PodCondition condition(String type, String status, String at) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(at)
        .build();
  }
}
