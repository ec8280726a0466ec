package dev.slipway.deploy.rollout;

import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterErrors;
import dev.slipway.deploy.client.ClusterUnreachableException;
import dev.slipway.deploy.health.DeploymentHealth;
import dev.slipway.deploy.health.ObjectHealth;
import dev.slipway.deploy.manifest.ApplyOrder;
import dev.slipway.deploy.manifest.ManifestSet;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.manifest.Ownership;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
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
  static final String FIELD_MANAGER = Ownership.FIELD_MANAGER;

  private final Cluster cluster;
  private final KubernetesClient client;
  private final String namespace;
  private final String application;
  private final Runnable beforeEachRequest;

  /**
   * @param beforeEachRequest runs before every request to the cluster; a rollout whose lease was
   *     given up throws there, so it stops touching the cluster at its next request
   */
  ClusterWorkload(
      Cluster cluster, String namespace, String application, Runnable beforeEachRequest) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.namespace = namespace;
    this.application = application;
    this.beforeEachRequest = beforeEachRequest;
  }

  /**
   * Reads of one turn go out side by side (each object is its own GET; a release of ten objects
   * would otherwise wait for ten round trips one after the other).
   */
  private static final ExecutorService READS =
      Executors.newFixedThreadPool(
          8,
          runnable -> {
            Thread thread = new Thread(runnable, "cluster-read");
            thread.setDaemon(true);
            return thread;
          });

  /** {@code read} of every item, side by side, in the items' order; the first failure is thrown. */
  private static <I, T> List<T> readAll(List<I> items, Function<I, T> read) {
    if (items.size() <= 1) {
      return items.stream().map(read).toList();
    }
    List<Future<T>> reads = new ArrayList<>();
    for (I item : items) {
      reads.add(READS.submit(() -> read.apply(item)));
    }
    List<T> results = new ArrayList<>();
    try {
      for (Future<T> pending : reads) {
        results.add(pending.get());
      }
    } catch (InterruptedException e) {
      reads.forEach(pending -> pending.cancel(true));
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading from the cluster", e);
    } catch (ExecutionException e) {
      reads.forEach(pending -> pending.cancel(true));
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    }
    return results;
  }

  private <T> T call(String what, Supplier<T> request) {
    beforeEachRequest.run();
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

  /** Deletes Deployment {@code name} (a canary); a missing one is fine. */
  boolean delete(String name) {
    if (name == null) {
      return false;
    }
    return call(
        "delete Deployment " + name,
        () ->
            !client.apps().deployments().inNamespace(namespace).withName(name).delete().isEmpty());
  }

  /** The live {@code spec.replicas} of Deployment {@code name}, or {@code otherwise}. */
  int replicasOf(String name, int otherwise) {
    Deployment found =
        call(
            "read Deployment " + name,
            () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
    return found == null || found.getSpec().getReplicas() == null
        ? otherwise
        : found.getSpec().getReplicas();
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

  /**
   * Refuses objects outside the environment's namespace, and cluster-scoped ones unless the
   * environment allows them; a kind the cluster does not serve is refused too.
   */
  void checkScope(List<HasMetadata> objects, boolean allowClusterResources) {
    for (HasMetadata object : objects) {
      boolean namespaced = namespaced(object);
      String ns = object.getMetadata().getNamespace();
      if (!namespaced) {
        if (!allowClusterResources) {
          throw new ClusterRefusedException(
              "%s is cluster-scoped; the environment allows only namespaced objects in namespace %s (allowClusterResources is off); nothing was applied"
                  .formatted(ObjectRef.of(object), namespace),
              null);
        }
      } else if (ns != null && !ns.equals(namespace)) {
        throw new ClusterRefusedException(
            "%s names namespace %s; the environment deploys only into %s; nothing was applied"
                .formatted(ObjectRef.of(object), ns, namespace),
            null);
      }
    }
  }

  private boolean namespaced(HasMetadata object) {
    if (!(object instanceof GenericKubernetesResource)) {
      return object instanceof io.fabric8.kubernetes.api.model.Namespaced;
    }
    String apiVersion = object.getApiVersion();
    var resources =
        call(
            "discover " + apiVersion,
            () ->
                apiVersion.contains("/")
                    ? client.getApiResources(apiVersion)
                    : client.getApiResources(apiVersion));
    if (resources == null) {
      throw new ClusterRefusedException(
          "the cluster does not serve %s (%s); nothing was applied"
              .formatted(apiVersion, ObjectRef.of(object)),
          null);
    }
    return resources.getResources().stream()
        .filter(r -> object.getKind().equals(r.getKind()) && !r.getName().contains("/"))
        .findFirst()
        .map(r -> Boolean.TRUE.equals(r.getNamespaced()))
        .orElseThrow(
            () ->
                new ClusterRefusedException(
                    "the cluster does not serve kind %s in %s; nothing was applied"
                        .formatted(object.getKind(), apiVersion),
                    null));
  }

  /** The objects as they are live now, by reference; absent ones are missing from the map. */
  Map<ObjectRef, HasMetadata> live(List<HasMetadata> objects) {
    List<ObjectRef> refs = objects.stream().map(ObjectRef::of).toList();
    List<Optional<HasMetadata>> found = readAll(refs, ref -> Optional.ofNullable(get(ref)));
    Map<ObjectRef, HasMetadata> live = new LinkedHashMap<>();
    for (int i = 0; i < refs.size(); i++) {
      ObjectRef ref = refs.get(i);
      found.get(i).ifPresent(object -> live.put(ref, object));
    }
    return live;
  }

  /** The live object {@code ref} names, or null. */
  HasMetadata get(ObjectRef ref) {
    HasMetadata probe = probe(ref);
    return call("read " + ref, () -> client.resource(probe).get());
  }

  /**
   * Applies {@code objects} in order with server-side apply. Before anything is applied, every
   * object that exists without being this application's in this environment is refused (unless
   * {@code adopt}), naming it and its managers; Slipway's own objects are applied with force
   * (Slipway is their source of truth), new ones without.
   *
   * @return the objects this call created
   */
  List<ObjectRef> applyAll(
      List<HasMetadata> objects, String application, String environment, boolean adopt) {
    return applyAll(objects, application, environment, adopt, refs -> {});
  }

  /**
   * As {@link #applyAll(List, String, String, boolean)}, telling {@code beforeCreating} once,
   * before anything is applied, which objects this call is about to create, so a failure half-way
   * still knows what it may have made (removing them deletes only what exists and is Slipway's).
   */
  List<ObjectRef> applyAll(
      List<HasMetadata> objects,
      String application,
      String environment,
      boolean adopt,
      Consumer<List<ObjectRef>> beforeCreating) {
    Map<ObjectRef, HasMetadata> live = live(objects);
    if (!adopt) {
      for (HasMetadata found : live.values()) {
        if (!Ownership.owns(found, application, environment)) {
          throw new ClusterRefusedException(
              "%s in namespace %s exists and %s; Slipway never changes or deletes an object it does not own: nothing was applied (set adopt: true on environment %s to take it over)"
                  .formatted(
                      ObjectRef.of(found),
                      namespace,
                      Ownership.foreignReason(found, application, environment),
                      environment),
              null);
        }
      }
    }
    List<ObjectRef> absent =
        objects.stream().map(ObjectRef::of).filter(ref -> !live.containsKey(ref)).toList();
    if (!absent.isEmpty()) {
      beforeCreating.accept(absent);
    }
    List<ObjectRef> created = new ArrayList<>();
    for (HasMetadata object : objects) {
      ObjectRef ref = ObjectRef.of(object);
      boolean exists = live.containsKey(ref);
      run(
          "apply " + ref,
          () -> {
            var apply = client.resource(object).fieldManager(FIELD_MANAGER);
            if (exists) {
              apply.forceConflicts().serverSideApply();
            } else {
              apply.serverSideApply();
            }
          });
      if (!exists) {
        created.add(ref);
      }
    }
    return created;
  }

  /** What applying {@code object} would store now (a server-side dry run); nothing changes. */
  HasMetadata dryRun(HasMetadata object) {
    return call(
        "dry-run apply " + ObjectRef.of(object),
        () ->
            client
                .resource(object)
                .dryRun()
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply());
  }

  /** The workloads ({@code Kind/name}) a HorizontalPodAutoscaler in the namespace scales. */
  Set<String> autoscaled() {
    Set<String> scaled = new LinkedHashSet<>();
    var autoscalers =
        call(
            "list HorizontalPodAutoscalers",
            () ->
                client
                    .autoscaling()
                    .v2()
                    .horizontalPodAutoscalers()
                    .inNamespace(namespace)
                    .list()
                    .getItems());
    for (var hpa : autoscalers) {
      if (hpa.getSpec() != null && hpa.getSpec().getScaleTargetRef() != null) {
        scaled.add(
            hpa.getSpec().getScaleTargetRef().getKind()
                + "/"
                + hpa.getSpec().getScaleTargetRef().getName());
      }
    }
    return scaled;
  }

  /**
   * Judges every object of {@code refs}: failed when one failed, complete when all are, else
   * progressing (the first object not done yet named).
   */
  DeploymentHealth.Verdict judgeAll(List<ObjectRef> refs, Instant now, Duration pullGrace) {
    int restarts = 0;
    DeploymentHealth.Verdict waiting = null;
    ObjectRef waitingOn = null;
    List<String> done = new ArrayList<>();
    long workloads =
        refs.stream()
            .filter(r -> ObjectHealth.WORKLOADS.contains(r.kind()) || "Job".equals(r.kind()))
            .count();
    List<DeploymentHealth.Verdict> verdicts = readAll(refs, ref -> judge(ref, now, pullGrace));
    for (int i = 0; i < refs.size(); i++) {
      ObjectRef ref = refs.get(i);
      DeploymentHealth.Verdict verdict = verdicts.get(i);
      // One workload (the generated Deployment): its verdict speaks for itself.
      String prefix =
          workloads > 1 || !ObjectHealth.WORKLOADS.contains(ref.kind()) ? ref + ": " : "";
      restarts += verdict.restarts();
      switch (verdict.state()) {
        case FAILED -> {
          return new DeploymentHealth.Verdict(
              DeploymentHealth.State.FAILED,
              prefix + verdict.detail(),
              verdict.failingPod(),
              restarts);
        }
        case PROGRESSING -> {
          if (waiting == null) {
            waiting = verdict;
            waitingOn = ref;
          }
        }
        case COMPLETE -> {
          if (ObjectHealth.WORKLOADS.contains(ref.kind()) || "Job".equals(ref.kind())) {
            done.add(prefix + verdict.detail());
          }
        }
      }
    }
    if (waiting != null) {
      return new DeploymentHealth.Verdict(
          DeploymentHealth.State.PROGRESSING,
          (workloads > 1 || !ObjectHealth.WORKLOADS.contains(waitingOn.kind())
                  ? waitingOn + ": "
                  : "")
              + waiting.detail(),
          null,
          restarts);
    }
    return new DeploymentHealth.Verdict(
        DeploymentHealth.State.COMPLETE,
        workloads <= 1 && done.size() == 1
            ? done.get(0)
            : refs.size()
                + " objects healthy"
                + (done.isEmpty() ? "" : "; " + String.join("; ", done)),
        null,
        restarts);
  }

  /** Judges one object as it is live. */
  DeploymentHealth.Verdict judge(ObjectRef ref, Instant now, Duration pullGrace) {
    HasMetadata live = get(ref);
    List<Pod> pods = live == null ? List.of() : podsOf(live);
    return ObjectHealth.judge(
        ref.kind(), live == null ? null : ManifestSet.generic(live), pods, now, pullGrace);
  }

  private List<Pod> podsOf(HasMetadata workload) {
    io.fabric8.kubernetes.api.model.LabelSelector selector = null;
    if (workload instanceof Deployment d) {
      selector = d.getSpec().getSelector();
    } else if (workload instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      selector = s.getSpec().getSelector();
    } else if (workload instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet d) {
      selector = d.getSpec().getSelector();
    }
    if (selector == null || selector.getMatchLabels() == null) {
      return List.of();
    }
    Map<String, String> labels = selector.getMatchLabels();
    return call(
        "list pods of " + ObjectRef.of(workload),
        () -> client.pods().inNamespace(namespace).withLabels(labels).list().getItems());
  }

  /**
   * Deletes the objects of {@code refs} that are this application's (in reverse apply order);
   * returns how each went, e.g. {@code pruned ConfigMap flags}.
   */
  List<String> deleteOwned(List<ObjectRef> refs, String application, String environment) {
    List<String> done = new ArrayList<>();
    List<ObjectRef> ordered = new ArrayList<>(refs);
    ordered.sort(ApplyOrder.DELETE);
    for (ObjectRef ref : ordered) {
      HasMetadata live = get(ref);
      if (live == null) {
        continue;
      }
      if (!Ownership.owns(live, application, environment)) {
        done.add(
            "kept " + ref + " (" + Ownership.foreignReason(live, application, environment) + ")");
        continue;
      }
      run("delete " + ref, () -> client.resource(live).delete());
      done.add(ref.toString());
    }
    return done;
  }

  private static HasMetadata probe(ObjectRef ref) {
    String json =
        "{\"apiVersion\":%s,\"kind\":%s,\"metadata\":{\"name\":%s%s}}"
            .formatted(
                quote(ref.apiVersion()),
                quote(ref.kind()),
                quote(ref.name()),
                ref.namespace() == null ? "" : ",\"namespace\":" + quote(ref.namespace()));
    return Serialization.unmarshal(json, HasMetadata.class);
  }

  private static String quote(String text) {
    return Serialization.asJson(text);
  }

  private static String when(Event event) {
    return Objects.requireNonNullElse(
        event.getLastTimestamp(),
        Objects.requireNonNullElse(event.getMetadata().getCreationTimestamp(), ""));
  }
}
