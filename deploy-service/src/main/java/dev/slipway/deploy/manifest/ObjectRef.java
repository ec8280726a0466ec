package dev.slipway.deploy.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One Kubernetes object a release holds, by what names it: its API version, kind, namespace (null
 * for a cluster-scoped one) and name.
 */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) {

  /** The reference of {@code object}. */
  public static ObjectRef of(HasMetadata object) {
    return new ObjectRef(
        object.getApiVersion(),
        object.getKind(),
        object.getMetadata().getNamespace(),
        object.getMetadata().getName());
  }

  /** How a log line names it, e.g. {@code ConfigMap shop-flags}. */
  @Override
  public String toString() {
    return kind + " " + name;
  }
}
