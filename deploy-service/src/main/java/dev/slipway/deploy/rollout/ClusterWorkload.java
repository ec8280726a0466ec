package dev.slipway.deploy.rollout;

import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterErrors;
import dev.slipway.deploy.client.ClusterUnreachableException;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a rollout does in one namespace of one cluster, in Kubernetes terms: server-side apply with
 * field manager {@code slipway} (forcing conflicts: Slipway owns what it applies), reads of the
 * Deployments and their pods, deletions, and an HTTPRoute's weights. Every call goes to the API
 * server; nothing is cached, so a rollout resumed by another instance sees what is there. A cluster
 * that cannot be reached is a {@link ClusterUnreachableException} (worth retrying), one that
 * refuses a request a {@link ClusterRefusedException} (not worth it); both name what was asked.
 */
final class ClusterWorkload {

  /** The field manager of everything Slipway applies. */
  static final String FIELD_MANAGER = "slipway";

  private final Cluster cluster;
  private final KubernetesClient client;
  private final String namespace;
  private final String application;

  ClusterWorkload(Cluster cluster, String namespace, String application) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.namespace = namespace;
    this.application = application;
  }

  private <T> T call(String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (ClusterUnreachableException e) {
      throw e;
    } catch (IllegalStateException e) {
      throw new ClusterRefusedException(e.getMessage(), e);
    } catch (RuntimeException e) {
      String message = cluster + ": " + what + ": " + ClusterErrors.describe(e);
      if (ClusterErrors.unreachable(e)) {
        throw new ClusterUnreachableException(message, e);
      }
      throw new ClusterRefusedException(message, e);
    }
  }

  private void run(String what, Runnable request) {
    call(
        what,
        () -> {
          request.run();
          return null;
        });
  }

  /** Creates the namespace when the cluster is configured to and it is missing. */
  void ensureNamespace() {
    if (!cluster.createNamespaces()) {
      return;
    }
    run(
        "create namespace " + namespace,
        () -> {
          if (client.namespaces().withName(namespace).get() != null) {
            return;
          }
          try {
            client
                .namespaces()
                .resource(
                    new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .addToLabels(DeploymentFactory.MANAGED_BY, "slipway")
                        .endMetadata()
                        .build())
                .create();
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
          }
        });
  }

  /** Applies the application's Service, and the track Services when a route splits traffic. */
  void applyServices(int port, boolean routed) {
    apply(ServiceFactory.application(application, namespace, port));
    if (routed) {
      apply(ServiceFactory.track(application, namespace, port, Workload.Track.STABLE));
      apply(ServiceFactory.track(application, namespace, port, Workload.Track.CANARY));
    }
  }

  /** Applies {@code workload}'s Deployment. */
  void apply(Workload workload) {
    run(
        "apply Deployment " + workload.deploymentName(),
        () ->
            client
                .resource(DeploymentFactory.create(workload))
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply());
  }

  private void apply(Service service) {
    run(
        "apply Service " + service.getMetadata().getName(),
        () ->
            client
                .resource(service)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply());
  }

  /** The Deployment of {@code track}, or null. */
  Deployment deployment(Workload.Track track) {
    String name = track.deploymentName(application);
    return call(
        "read Deployment " + name,
        () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  /**
   * Judges the Deployment of {@code track}, which should run {@code replicas} pods of {@code
   * image}.
   */
  DeploymentHealth.Verdict judge(Workload.Track track, String image, int replicas) {
    Deployment deployment = deployment(track);
    List<Pod> pods =
        deployment == null
            ? List.of()
            : call(
                "list pods of " + track.deploymentName(application),
                () ->
                    client
                        .pods()
                        .inNamespace(namespace)
                        .withLabels(
                            Map.of(
                                DeploymentFactory.NAME,
                                application,
                                DeploymentFactory.TRACK,
                                track.label()))
                        .list()
                        .getItems());
    return DeploymentHealth.judge(deployment, pods, image, replicas);
  }

  /** The latest warning event about {@code pod}, e.g. why its image cannot be pulled. */
  Optional<String> lastWarning(String pod) {
    if (pod == null) {
      return Optional.empty();
    }
    // Field selectors on involvedObject are not served by every API server; filter here.
    List<Event> events =
        call(
            "list events of pod " + pod,
            () -> client.v1().events().inNamespace(namespace).list().getItems());
    return events.stream()
        .filter(event -> "Warning".equals(event.getType()))
        .filter(
            event ->
                event.getInvolvedObject() != null
                    && pod.equals(event.getInvolvedObject().getName()))
        .max(Comparator.comparing(ClusterWorkload::when))
        .map(event -> event.getReason() + ": " + event.getMessage());
  }

  /** Deletes the Deployment of {@code track}; a missing one is fine. */
  boolean delete(Workload.Track track) {
    String name = track.deploymentName(application);
    return call(
        "delete Deployment " + name,
        () ->
            !client.apps().deployments().inNamespace(namespace).withName(name).delete().isEmpty());
  }

  /**
   * Gives the canary {@code weight} percent of {@code route}'s traffic and the stable Service the
   * rest.
   *
   * @throws IllegalStateException when the route does not exist or does not route to the stable
   *     Service
   */
  void routeWeights(String route, int port, int weight) {
    run(
        "set weights of HTTPRoute " + route,
        () -> {
          var resource = client.resources(HTTPRoute.class).inNamespace(namespace).withName(route);
          if (resource.get() == null) {
            throw new IllegalStateException(
                "HTTPRoute " + route + " does not exist in namespace " + namespace);
          }
          resource.edit(latest -> HttpRouteWeights.apply(latest, application, port, weight));
        });
  }

  private static String when(Event event) {
    return Objects.requireNonNullElse(
        event.getLastTimestamp(),
        Objects.requireNonNullElse(event.getMetadata().getCreationTimestamp(), ""));
  }
}
