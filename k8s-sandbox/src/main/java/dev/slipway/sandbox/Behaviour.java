package dev.slipway.sandbox;

import java.util.Arrays;
import java.util.Optional;

/** How the pods of a Deployment behave in the sandbox, as a kubelet would report them. */
public enum Behaviour {
  /** Pods start and become ready; the Deployment becomes available. */
  AVAILABLE("available"),
  /** Pods run but never pass their readiness probe; the rollout stalls until its deadline. */
  NEVER_READY("never-ready"),
  /** The container exits again and again: restart count grows, waiting in CrashLoopBackOff. */
  CRASH_LOOP("crash-loop"),
  /** The image cannot be pulled: pods stay Pending, waiting in ImagePullBackOff. */
  IMAGE_PULL_ERROR("image-pull-error"),
  /**
   * Pods cannot be created (as when a ResourceQuota or an admission policy refuses them): the
   * ReplicaSet reports ReplicaFailure with reason FailedCreate and a warning event.
   */
  FAILED_CREATE("failed-create");

  /** The OCI config label that chooses a behaviour for an image in the standalone sandbox. */
  public static final String LABEL = "dev.slipway.sandbox.behaviour";

  private final String label;

  Behaviour(String label) {
    this.label = label;
  }

  /** The value of {@link #LABEL} that selects this behaviour. */
  public String label() {
    return label;
  }

  /** The behaviour a label value names, if any. */
  public static Optional<Behaviour> ofLabel(String value) {
    return Arrays.stream(values()).filter(b -> b.label.equals(value)).findFirst();
  }
}
