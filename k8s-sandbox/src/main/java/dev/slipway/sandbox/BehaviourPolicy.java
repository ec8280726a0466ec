package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Decides how the pods of a Deployment behave; asked once per pod template. */
@FunctionalInterface
public interface BehaviourPolicy {

  /** Every Deployment becomes available. */
  BehaviourPolicy ALWAYS_AVAILABLE = deployment -> Behaviour.AVAILABLE;

  /** The behaviour of {@code deployment}'s pods. */
  Behaviour behaviourOf(Deployment deployment);

  /** The image of the first container of {@code deployment}, or an empty string. */
  static String imageOf(Deployment deployment) {
    var containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    return containers.isEmpty() || containers.get(0).getImage() == null
        ? ""
        : containers.get(0).getImage();
  }

  /** The {@code sha256:...} digest an image reference pins, or null. */
  static String digestOf(String image) {
    int at = image.indexOf('@');
    return at < 0 ? null : image.substring(at + 1);
  }
}
