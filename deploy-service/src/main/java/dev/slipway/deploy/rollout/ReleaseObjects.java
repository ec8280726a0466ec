package dev.slipway.deploy.rollout;

import dev.slipway.deploy.manifest.ApplyOrder;
import dev.slipway.deploy.manifest.ManifestSet;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.manifest.Ownership;
import dev.slipway.events.DeploymentSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The objects one release applies, ready for the cluster: the application's own manifests (or, by
 * default, the Deployment and Service Slipway generates), each into the environment's namespace,
 * labelled as Slipway's for the application and environment, annotated with the release (run,
 * commit, revision, rollout, digest), every container of the application's image pinned to the
 * release's digest, and {@code spec.replicas} left out of every workload an autoscaler scales.
 */
final class ReleaseObjects {

  private ReleaseObjects() {}

  /**
   * One release as the objects see it.
   *
   * @param application the application
   * @param environment the environment
   * @param namespace the environment's namespace
   * @param pinnedImage the image by digest, {@code repo@sha256:…}
   * @param settings the environment's deployment settings
   * @param manifests the application's own objects (null: generated)
   * @param annotations the release's annotations
   */
  record Release(
      String application,
      String environment,
      String namespace,
      String pinnedImage,
      DeploymentSettings settings,
      ManifestSet manifests,
      Map<String, String> annotations) {

    /** The repository of the application's image, without tag or digest. */
    String repository() {
      return ManifestSet.repositoryOf(pinnedImage);
    }

    /** The name of the Deployment a canary replaces. */
    String primaryName() {
      if (manifests == null) {
        return application;
      }
      return manifests
          .primary(application, repository())
          .map(o -> o.getMetadata().getName())
          .orElse(null);
    }
  }

  /**
   * Every object of {@code release} for the stable track.
   *
   * @param primaryReplicas pods of the primary Deployment; null: as the manifests (or settings) say
   * @param scaled workloads ({@code Kind/name}) an autoscaler scales: their replicas are left out
   * @param routed whether an HTTPRoute splits canary traffic (generated track Services)
   */
  static List<HasMetadata> all(
      Release release, Integer primaryReplicas, Set<String> scaled, boolean routed) {
    List<HasMetadata> objects = new ArrayList<>();
    if (release.manifests() == null) {
      int replicas = primaryReplicas != null ? primaryReplicas : release.settings().replicas();
      objects.add(
          ServiceFactory.application(
              release.application(), release.namespace(), release.settings().port()));
      if (routed) {
        objects.add(
            ServiceFactory.track(
                release.application(),
                release.namespace(),
                release.settings().port(),
                Workload.Track.STABLE));
        objects.add(
            ServiceFactory.track(
                release.application(),
                release.namespace(),
                release.settings().port(),
                Workload.Track.CANARY));
      }
      objects.add(
          DeploymentFactory.create(
              new Workload(
                  release.application(),
                  release.namespace(),
                  Workload.Track.STABLE,
                  release.pinnedImage(),
                  release.settings(),
                  replicas,
                  release.annotations())));
    } else {
      String primary = release.primaryName();
      for (GenericKubernetesResource object : release.manifests().copies()) {
        HasMetadata typed = ManifestSet.typed(object);
        if (primaryReplicas != null
            && typed instanceof Deployment deployment
            && deployment.getMetadata().getName().equals(primary)) {
          deployment.getSpec().setReplicas(primaryReplicas);
        }
        objects.add(typed);
      }
    }
    for (HasMetadata object : objects) {
      finish(release, object, scaled);
    }
    objects.sort(ApplyOrder.APPLY);
    return objects;
  }

  /** The primary (stable) Deployment alone, at {@code replicas} (null: as the release says). */
  static HasMetadata primary(Release release, Integer replicas, Set<String> scaled) {
    String name = release.primaryName();
    return all(release, replicas, scaled, false).stream()
        .filter(o -> o instanceof Deployment && o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("release has no Deployment " + name));
  }

  /** Every object but the primary Deployment (what a canary's first step applies beside it). */
  static List<HasMetadata> supporting(Release release, Set<String> scaled, boolean routed) {
    String name = release.primaryName();
    return all(release, null, scaled, routed).stream()
        .filter(o -> !(o instanceof Deployment && o.getMetadata().getName().equals(name)))
        .toList();
  }

  /** The canary Deployment beside the primary, running {@code replicas} pods of the release. */
  static HasMetadata canary(Release release, int replicas) {
    if (release.manifests() == null) {
      Deployment canary =
          DeploymentFactory.create(
              new Workload(
                  release.application(),
                  release.namespace(),
                  Workload.Track.CANARY,
                  release.pinnedImage(),
                  release.settings(),
                  replicas,
                  release.annotations()));
      finish(release, canary, Set.of());
      return canary;
    }
    Deployment primary = (Deployment) primary(release, replicas, Set.of());
    Deployment canary = Serialization.clone(primary);
    canary.getMetadata().setName(canaryName(primary.getMetadata().getName()));
    canary.getMetadata().setResourceVersion(null);
    canary.getMetadata().getLabels().put(DeploymentFactory.TRACK, Workload.Track.CANARY.label());
    Map<String, String> selector =
        new LinkedHashMap<>(canary.getSpec().getSelector().getMatchLabels());
    selector.put(DeploymentFactory.TRACK, Workload.Track.CANARY.label());
    canary.getSpec().getSelector().setMatchLabels(selector);
    Map<String, String> podLabels =
        new LinkedHashMap<>(
            Objects.requireNonNullElse(
                canary.getSpec().getTemplate().getMetadata().getLabels(), Map.of()));
    podLabels.put(DeploymentFactory.TRACK, Workload.Track.CANARY.label());
    canary.getSpec().getTemplate().getMetadata().setLabels(podLabels);
    canary.getSpec().setReplicas(replicas);
    return canary;
  }

  /** The name of the canary of Deployment {@code primary}. */
  static String canaryName(String primary) {
    return primary + "-canary";
  }

  /** The references of {@link #all}: what the release holds, for pruning. */
  static List<ObjectRef> refs(Release release, boolean routed) {
    return all(release, null, Set.of(), routed).stream().map(ObjectRef::of).toList();
  }

  /**
   * Labels, annotations, the namespace where none is named, pinned images and autoscaled replicas
   * of one object.
   */
  private static void finish(Release release, HasMetadata object, Set<String> scaled) {
    var metadata = object.getMetadata();
    // An object naming another namespace keeps it, so that checkScope refuses it by name instead
    // of moving it silently.
    if (Admissions.namespaced(object)
        && (metadata.getNamespace() == null || metadata.getNamespace().isBlank())) {
      metadata.setNamespace(release.namespace());
    }
    Map<String, String> labels =
        new LinkedHashMap<>(Objects.requireNonNullElse(metadata.getLabels(), Map.of()));
    labels.putAll(Ownership.labels(release.application(), release.environment()));
    metadata.setLabels(labels);
    Map<String, String> annotations =
        new TreeMap<>(Objects.requireNonNullElse(metadata.getAnnotations(), Map.of()));
    annotations.putAll(release.annotations());
    metadata.setAnnotations(annotations);
    PodSpec pod = podSpec(object);
    if (pod != null) {
      pin(pod.getContainers(), release);
      pin(pod.getInitContainers(), release);
    }
    if (scaled.contains(object.getKind() + "/" + metadata.getName())) {
      if (object instanceof Deployment deployment) {
        deployment.getSpec().setReplicas(null);
      } else if (object instanceof StatefulSet set) {
        set.getSpec().setReplicas(null);
      }
    }
  }

  private static void pin(List<Container> containers, Release release) {
    for (Container container : containers) {
      String image = container.getImage();
      if (image == null) {
        continue;
      }
      String repository = ManifestSet.repositoryOf(image);
      if (repository.equals(release.repository()) || repository.equals(release.application())) {
        container.setImage(release.pinnedImage());
      }
    }
  }

  private static PodSpec podSpec(HasMetadata object) {
    if (object instanceof Deployment d
        && d.getSpec() != null
        && d.getSpec().getTemplate() != null) {
      return d.getSpec().getTemplate().getSpec();
    }
    if (object instanceof StatefulSet s
        && s.getSpec() != null
        && s.getSpec().getTemplate() != null) {
      return s.getSpec().getTemplate().getSpec();
    }
    if (object instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet d
        && d.getSpec() != null
        && d.getSpec().getTemplate() != null) {
      return d.getSpec().getTemplate().getSpec();
    }
    if (object instanceof Job j && j.getSpec() != null && j.getSpec().getTemplate() != null) {
      return j.getSpec().getTemplate().getSpec();
    }
    return null;
  }

  /** Which kinds are cluster-scoped, as far as Slipway knows without asking the cluster. */
  static final class Admissions {

    private static final Set<String> CLUSTER_SCOPED =
        Set.of(
            "Namespace",
            "Node",
            "PersistentVolume",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "StorageClass",
            "PriorityClass",
            "IngressClass",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
            "APIService",
            "RuntimeClass",
            "CSIDriver",
            "VolumeAttachment");

    private Admissions() {}

    /** Whether {@code object} lives in a namespace. */
    static boolean namespaced(HasMetadata object) {
      if (object instanceof io.fabric8.kubernetes.api.model.Namespaced) {
        return true;
      }
      if (object instanceof GenericKubernetesResource) {
        return !CLUSTER_SCOPED.contains(object.getKind());
      }
      return false;
    }
  }
}
