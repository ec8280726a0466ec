package dev.slipway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What kube-controller-manager's Deployment and ReplicaSet controllers do: a ReplicaSet per pod
 * template (named by a hash of the template, labelled {@code pod-template-hash}), its pods through
 * the {@link Kubelet}, old ReplicaSets scaled to zero once the new one is fully available (until
 * then the old pods keep serving, like {@code maxUnavailable: 0}), and the Deployment's status:
 * observedGeneration, replica counts (a pod is available once ready for {@code minReadySeconds}),
 * the {@code Available} and {@code Progressing} conditions ({@code ProgressDeadlineExceeded} once
 * {@code progressDeadlineSeconds} passed without completing), and {@code ReplicaFailure} with
 * reason {@code FailedCreate} when pods cannot be created. A deleted Deployment's ReplicaSets and
 * pods are collected.
 */
final class DeploymentController {

  /** The label that ties pods to the ReplicaSet of one pod template. */
  static final String TEMPLATE_HASH = "pod-template-hash";

  private static final ObjectMapper SORTED_JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int DEFAULT_DEADLINE_SECONDS = 600;

  private final KubernetesClient client;
  private final BehaviourPolicy policy;
  private final Kubelet kubelet;
  private final Map<String, Started> started = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();

  DeploymentController(KubernetesClient client, BehaviourPolicy policy, Kubelet kubelet) {
    this.client = client;
    this.policy = policy;
    this.kubelet = kubelet;
  }

  /** Moves one Deployment one step; returns whether nothing more will happen without a write. */
  boolean reconcile(String namespace, String name) {
    String key = namespace + "/" + name;
    Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (deployment == null) {
      deleteOwnedBy(namespace, name);
      started.remove(key);
      return true;
    }
    int desired = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    int minReady = Objects.requireNonNullElse(deployment.getSpec().getMinReadySeconds(), 0);
    String hash = templateHash(deployment.getSpec().getTemplate());
    long generation = Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 1L);
    Instant now = Instant.now();
    Started since =
        started.compute(
            key,
            (k, old) ->
                old != null && old.hash().equals(hash) ? old : new Started(generation, hash, now));
    Behaviour behaviour =
        behaviours.computeIfAbsent(key + "/" + hash, k -> policy.behaviourOf(deployment));

    List<ReplicaSet> owned = ownedReplicaSets(deployment);
    ReplicaSet current =
        owned.stream()
            .filter(rs -> hash.equals(labels(rs).get(TEMPLATE_HASH)))
            .findFirst()
            .orElseGet(() -> createReplicaSet(deployment, hash, desired));
    String failedCreate = null;
    List<Pod> currentPods;
    if (behaviour == Behaviour.FAILED_CREATE) {
      currentPods = List.of();
      failedCreate =
          ("pods \"%s-\" is forbidden: exceeded quota: compute-resources, requested:"
                  + " limits.cpu=500m, used: limits.cpu=2, limited: limits.cpu=2")
              .formatted(current.getMetadata().getName());
      scaleReplicaSet(current, desired);
      if (!hasFailure(current)) {
        kubelet.warn(current, "FailedCreate", "Error creating: " + failedCreate);
      }
    } else {
      currentPods = syncPods(current, desired, behaviour, now);
    }
    int currentAvailable = available(currentPods, minReady, now);
    int currentReady = (int) currentPods.stream().filter(Kubelet::ready).count();
    boolean currentDone = currentPods.size() == desired && currentAvailable == desired;
    setReplicaSetStatus(
        current, desired, currentPods.size(), currentReady, currentAvailable, failedCreate);

    int oldPods = 0;
    int oldReady = 0;
    int oldAvailable = 0;
    for (ReplicaSet old : owned) {
      if (old.getMetadata().getName().equals(current.getMetadata().getName())) {
        continue;
      }
      List<Pod> pods = kubelet.podsOf(old, old.getSpec().getSelector().getMatchLabels());
      if (currentDone) {
        pods.forEach(pod -> client.pods().resource(pod).delete());
        setReplicaSetStatus(old, 0, 0, 0, 0, null);
      } else {
        oldPods += pods.size();
        oldReady += (int) pods.stream().filter(Kubelet::ready).count();
        oldAvailable += available(pods, minReady, now);
      }
    }

    boolean complete = currentDone && oldPods == 0;
    int deadlineSeconds =
        Objects.requireNonNullElse(
            deployment.getSpec().getProgressDeadlineSeconds(), DEFAULT_DEADLINE_SECONDS);
    boolean deadlineExceeded = !complete && now.isAfter(since.since().plusSeconds(deadlineSeconds));
    int total = currentPods.size() + oldPods;
    int ready = currentReady + oldReady;
    int available = currentAvailable + oldAvailable;
    DeploymentStatus status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(generation)
            .withReplicas(total)
            .withUpdatedReplicas(currentPods.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(available)
            .withUnavailableReplicas(
                Math.max(desired, total) > available ? Math.max(desired, total) - available : null)
            .withConditions(
                conditions(
                    deployment,
                    current,
                    desired,
                    available,
                    complete,
                    deadlineExceeded,
                    failedCreate,
                    since,
                    now))
            .build();
    if (!status.equals(deployment.getStatus())) {
      deployment.setStatus(status);
      client.apps().deployments().inNamespace(namespace).resource(deployment).updateStatus();
    }
    boolean podsFinal = behaviour != Behaviour.CRASH_LOOP && (complete || deadlineExceeded);
    return podsFinal && kubelet.nextChange(currentPods, behaviour, minReady, now) == null;
  }

  private int available(List<Pod> pods, int minReadySeconds, Instant now) {
    return (int) pods.stream().filter(pod -> kubelet.available(pod, minReadySeconds, now)).count();
  }

  private List<DeploymentCondition> conditions(
      Deployment deployment,
      ReplicaSet current,
      int desired,
      int available,
      boolean complete,
      boolean deadlineExceeded,
      String failedCreate,
      Started since,
      Instant now) {
    Map<String, DeploymentCondition> previous = new HashMap<>();
    if (deployment.getStatus() != null && deployment.getStatus().getConditions() != null) {
      deployment.getStatus().getConditions().forEach(c -> previous.put(c.getType(), c));
    }
    String rs = current.getMetadata().getName();
    boolean isAvailable = available >= desired;
    List<DeploymentCondition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            previous.get("Available"),
            "Available",
            isAvailable ? "True" : "False",
            isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            isAvailable
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.",
            now));
    if (complete) {
      conditions.add(
          condition(
              previous.get("Progressing"),
              "Progressing",
              "True",
              "NewReplicaSetAvailable",
              "ReplicaSet \"" + rs + "\" has successfully progressed.",
              now));
    } else if (deadlineExceeded) {
      conditions.add(
          condition(
              previous.get("Progressing"),
              "Progressing",
              "False",
              "ProgressDeadlineExceeded",
              "ReplicaSet \"" + rs + "\" has timed out progressing.",
              now));
    } else {
      conditions.add(
          condition(
              previous.get("Progressing"),
              "Progressing",
              "True",
              "ReplicaSetUpdated",
              "ReplicaSet \"" + rs + "\" is progressing.",
              since.since()));
    }
    if (failedCreate != null) {
      conditions.add(
          condition(
              previous.get("ReplicaFailure"),
              "ReplicaFailure",
              "True",
              "FailedCreate",
              failedCreate,
              now));
    }
    return conditions;
  }

  private static DeploymentCondition condition(
      DeploymentCondition previous,
      String type,
      String status,
      String reason,
      String message,
      Instant now) {
    if (previous != null
        && status.equals(previous.getStatus())
        && reason.equals(previous.getReason())
        && message.equals(previous.getMessage())) {
      return previous;
    }
    String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String transition =
        previous != null && status.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : at;
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastUpdateTime(at)
        .withLastTransitionTime(transition)
        .build();
  }

  private ReplicaSet createReplicaSet(Deployment deployment, String hash, int replicas) {
    Map<String, String> labels = new LinkedHashMap<>(templateLabels(deployment));
    labels.put(TEMPLATE_HASH, hash);
    Map<String, String> selector =
        new LinkedHashMap<>(deployment.getSpec().getSelector().getMatchLabels());
    selector.put(TEMPLATE_HASH, hash);
    ReplicaSet replicaSet =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName(deployment.getMetadata().getName() + "-" + hash)
            .withNamespace(deployment.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(deployment.getMetadata().getAnnotations())
            .withOwnerReferences(Kubelet.ownerReference(deployment))
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withMinReadySeconds(deployment.getSpec().getMinReadySeconds())
            .withNewSelector()
            .withMatchLabels(selector)
            .endSelector()
            .withNewTemplateLike(deployment.getSpec().getTemplate())
            .editOrNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .endTemplate()
            .endSpec()
            .withStatus(new ReplicaSetStatusBuilder().withReplicas(0).build())
            .build();
    return client.apps().replicaSets().resource(replicaSet).create();
  }

  private List<Pod> syncPods(ReplicaSet replicaSet, int desired, Behaviour behaviour, Instant now) {
    replicaSet = scaleReplicaSet(replicaSet, desired);
    List<Pod> pods =
        new ArrayList<>(
            kubelet.podsOf(replicaSet, replicaSet.getSpec().getSelector().getMatchLabels()));
    while (pods.size() > desired) {
      Pod extra = pods.remove(pods.size() - 1);
      client.pods().resource(extra).delete();
    }
    while (pods.size() < desired) {
      pods.add(
          kubelet.create(
              replicaSet,
              replicaSet.getMetadata().getName() + "-" + Kubelet.suffix(),
              replicaSet.getSpec().getTemplate(),
              replicaSet.getSpec().getTemplate().getMetadata().getLabels(),
              behaviour,
              Kubelet.Completion.NEVER,
              now));
    }
    return kubelet.refresh(pods, behaviour, Kubelet.Completion.NEVER, now);
  }

  private ReplicaSet scaleReplicaSet(ReplicaSet replicaSet, int desired) {
    if (!Objects.equals(replicaSet.getSpec().getReplicas(), desired)) {
      ReplicaSet latest = client.apps().replicaSets().resource(replicaSet).get();
      if (latest == null) {
        return replicaSet;
      }
      latest.getSpec().setReplicas(desired);
      return client.apps().replicaSets().resource(latest).update();
    }
    return replicaSet;
  }

  private static boolean hasFailure(ReplicaSet replicaSet) {
    return replicaSet.getStatus() != null
        && replicaSet.getStatus().getConditions().stream()
            .anyMatch(c -> "ReplicaFailure".equals(c.getType()));
  }

  private void setReplicaSetStatus(
      ReplicaSet replicaSet, int replicas, int pods, int ready, int available, String failure) {
    replicaSet = scaleReplicaSet(replicaSet, replicas);
    var status =
        new ReplicaSetStatusBuilder()
            .withReplicas(pods)
            .withReadyReplicas(ready)
            .withAvailableReplicas(available)
            .withFullyLabeledReplicas(pods)
            .withObservedGeneration(replicaSet.getMetadata().getGeneration());
    if (failure != null) {
      status.withConditions(
          new ReplicaSetConditionBuilder()
              .withType("ReplicaFailure")
              .withStatus("True")
              .withReason("FailedCreate")
              .withMessage(failure)
              .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
              .build());
      if (hasFailure(replicaSet)) {
        return;
      }
    }
    var built = status.build();
    if (!built.equals(replicaSet.getStatus())) {
      replicaSet.setStatus(built);
      client.apps().replicaSets().resource(replicaSet).updateStatus();
    }
  }

  private List<ReplicaSet> ownedReplicaSets(Deployment deployment) {
    String uid = deployment.getMetadata().getUid();
    return client
        .apps()
        .replicaSets()
        .inNamespace(deployment.getMetadata().getNamespace())
        .withLabels(deployment.getSpec().getSelector().getMatchLabels())
        .list()
        .getItems()
        .stream()
        .filter(rs -> Kubelet.ownedBy(rs, uid))
        .toList();
  }

  /** What the garbage collector does when a Deployment is deleted. */
  private void deleteOwnedBy(String namespace, String deployment) {
    for (ReplicaSet replicaSet :
        client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
      boolean owned =
          replicaSet.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> "Deployment".equals(o.getKind()) && deployment.equals(o.getName()));
      if (owned) {
        kubelet
            .podsOf(replicaSet, replicaSet.getSpec().getSelector().getMatchLabels())
            .forEach(pod -> client.pods().resource(pod).delete());
        client.apps().replicaSets().resource(replicaSet).delete();
      }
    }
  }

  private static Map<String, String> labels(HasMetadata object) {
    return Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of());
  }

  private static Map<String, String> templateLabels(Deployment deployment) {
    var metadata = deployment.getSpec().getTemplate().getMetadata();
    return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
  }

  /**
   * A short, stable name for a pod template, as the controller's {@code pod-template-hash}: FNV-1a
   * over the template's JSON with map keys sorted, in Kubernetes' safe alphabet.
   */
  static String templateHash(PodTemplateSpec template) {
    byte[] json;
    try {
      json = SORTED_JSON.writeValueAsBytes(template);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    int hash = 0x811c9dc5;
    for (byte b : json) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    long value = Integer.toUnsignedLong(hash);
    StringBuilder name = new StringBuilder();
    do {
      name.append(ALPHABET.charAt((int) (value % ALPHABET.length())));
      value /= ALPHABET.length();
    } while (value > 0);
    return name.toString();
  }

  /** When the current rollout of a Deployment (its template) began. */
  private record Started(long generation, String hash, Instant since) {}
}
