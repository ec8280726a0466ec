package dev.slipway.deploy.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Comparator;
import java.util.List;

/**
 * The order objects are applied in, as Argo CD and Helm order a sync: what others depend on first
 * (Namespaces, CRDs, service accounts and RBAC, configuration and storage, Services), then
 * workloads, then what routes to or scales them (Ingress, HTTPRoutes, autoscalers, disruption
 * budgets); custom resources last; by name within a kind. Prunes go in the reverse order.
 */
public final class ApplyOrder {

  private static final List<String> KINDS =
      List.of(
          "Namespace",
          "NetworkPolicy",
          "ResourceQuota",
          "LimitRange",
          "PodSecurityPolicy",
          "CustomResourceDefinition",
          "PriorityClass",
          "ServiceAccount",
          "Secret",
          "ConfigMap",
          "StorageClass",
          "PersistentVolume",
          "PersistentVolumeClaim",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "Service",
          "DaemonSet",
          "Pod",
          "ReplicaSet",
          "Deployment",
          "StatefulSet",
          "Job",
          "CronJob",
          "IngressClass",
          "Ingress",
          "HTTPRoute",
          "GRPCRoute",
          "APIService",
          "HorizontalPodAutoscaler",
          "PodDisruptionBudget");

  /** Sorts objects for applying. */
  public static final Comparator<HasMetadata> APPLY =
      Comparator.comparingInt((HasMetadata o) -> rank(o.getKind()))
          .thenComparing(o -> o.getMetadata().getName());

  /** Sorts references for deleting (the reverse of applying). */
  public static final Comparator<ObjectRef> DELETE =
      Comparator.comparingInt((ObjectRef o) -> rank(o.kind()))
          .thenComparing(ObjectRef::name)
          .reversed();

  private ApplyOrder() {}

  /** The rank of {@code kind}; unknown kinds (custom resources) come last. */
  public static int rank(String kind) {
    int index = KINDS.indexOf(kind);
    return index < 0 ? KINDS.size() : index;
  }
}
