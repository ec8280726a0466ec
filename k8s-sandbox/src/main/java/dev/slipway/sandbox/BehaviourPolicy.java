package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/** Decides how the pods of a Deployment behave; asked once per pod template. */
@FunctionalInterface
public interface BehaviourPolicy {

  /** Every Deployment becomes available. */
  BehaviourPolicy ALWAYS_AVAILABLE = deployment -> Behaviour.AVAILABLE;

  /** The behaviour of {@code deployment}'s pods. */
  Behaviour behaviourOf(Deployment deployment);

  /**
   * The behaviour of the pods of another workload (a StatefulSet, a Job) named {@code name}: the
   * policy is asked as if it were a Deployment of that name and pod template.
   */
  default Behaviour behaviourOf(String namespace, String name, PodTemplateSpec template) {
    return behaviourOf(
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withTemplate(template)
            .endSpec()
            .build());
  }

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
