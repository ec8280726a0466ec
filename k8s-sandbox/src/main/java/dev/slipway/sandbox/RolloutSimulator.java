package dev.slipway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Does in the sandbox what kube-controller-manager and the kubelet do in a cluster, for
 * Deployments: a ReplicaSet per pod template (named by a hash of the template, labelled {@code
 * pod-template-hash}), pods for it, pod status as the {@link BehaviourPolicy} says the image
 * behaves, old ReplicaSets scaled to zero once the new one is fully ready, and the Deployment's
 * status (observedGeneration, replica counts, Available and Progressing conditions, with {@code
 * ProgressDeadlineExceeded} once {@code progressDeadlineSeconds} passed without completing).
 * Warning events are recorded for pods that cannot pull their image or crash.
 *
 * <p>It reacts to every write of a Deployment and looks again every {@code resync} at Deployments
 * that are still moving (pods becoming ready, restart counts growing, a deadline to come). One
 * Deployment is never worked on by two threads at once.
 */
public final class RolloutSimulator implements AutoCloseable {

  /**
   * Timings of the simulated kubelet.
   *
   * @param readyAfter how long a pod of an available image takes to become ready
   * @param restartEvery how often a crash-looping container restarts (and how long an image pull
   *     takes to fail the first time)
   * @param resync how often Deployments still moving are looked at again
   * @param threads reconciler threads
   */
  public record Settings(Duration readyAfter, Duration restartEvery, Duration resync, int threads) {

    /** Ready at once, a restart a second, a look every 250 ms, two threads. */
    public static final Settings DEFAULTS =
        new Settings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(250), 2);
  }

  /** The label that ties pods to the ReplicaSet of one pod template. */
  public static final String TEMPLATE_HASH = "pod-template-hash";

  /** The annotation holding when a simulated container started, to the millisecond. */
  static final String STARTED_AT = "sandbox.slipway.dev/started-at";

  private static final System.Logger LOG = System.getLogger(RolloutSimulator.class.getName());
  private static final ObjectMapper SORTED_JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int DEFAULT_DEADLINE_SECONDS = 600;

  private final KubernetesClient client;
  private final BehaviourPolicy policy;
  private final Settings settings;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private final Set<String> queued = new HashSet<>();
  private final Set<String> running = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> moving = ConcurrentHashMap.newKeySet();
  private final Map<String, Progress> progress = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();

  /**
   * @param client a client of the sandbox API server
   * @param policy how each Deployment's pods behave
   * @param settings timings
   */
  public RolloutSimulator(KubernetesClient client, BehaviourPolicy policy, Settings settings) {
    this.client = client;
    this.policy = policy;
    this.settings = settings;
    this.workers = Executors.newFixedThreadPool(settings.threads(), daemon("sandbox-simulator"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-resync"));
    long every = settings.resync().toMillis();
    timer.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
  }

  /** Tells the simulator that a Deployment was written or deleted. */
  public void deploymentChanged(String namespace, String name) {
    enqueue(namespace + "/" + name);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
  }

  private void resync() {
    moving.forEach(this::enqueue);
  }

  private void enqueue(String key) {
    synchronized (lock) {
      if (running.contains(key)) {
        dirty.add(key);
        return;
      }
      if (!queued.add(key)) {
        return;
      }
    }
    try {
      workers.execute(() -> process(key));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // shutting down
    }
  }

  private void process(String key) {
    synchronized (lock) {
      queued.remove(key);
      running.add(key);
    }
    try {
      int slash = key.indexOf('/');
      boolean settled = reconcile(key.substring(0, slash), key.substring(slash + 1));
      if (settled) {
        moving.remove(key);
      } else {
        moving.add(key);
      }
    } catch (KubernetesClientException e) {
      // A conflicting write (409) or a race with a deletion: look again soon.
      moving.add(key);
      LOG.log(System.Logger.Level.DEBUG, "reconcile of {0} failed: {1}", key, e.getMessage());
    } catch (RuntimeException e) {
      moving.add(key);
      LOG.log(System.Logger.Level.WARNING, "reconcile of " + key + " failed", e);
    } finally {
      boolean again;
      synchronized (lock) {
        running.remove(key);
        again = dirty.remove(key);
      }
      if (again) {
        enqueue(key);
      }
    }
  }

  /** Moves one Deployment one step; returns whether nothing more will happen without a write. */
  private boolean reconcile(String namespace, String name) {
    String key = namespace + "/" + name;
    Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (deployment == null) {
      deleteOwnedBy(namespace, name);
      progress.remove(key);
      return true;
    }
    int desired = replicas(deployment);
    String hash = templateHash(deployment.getSpec().getTemplate());
    long generation = Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 1L);
    Instant now = Instant.now();
    Progress started =
        progress.compute(
            key,
            (k, old) ->
                old != null && old.generation() == generation && old.hash().equals(hash)
                    ? old
                    : new Progress(generation, hash, now));
    Behaviour behaviour =
        behaviours.computeIfAbsent(key + "/" + hash, k -> policy.behaviourOf(deployment));

    List<ReplicaSet> owned = ownedReplicaSets(deployment);
    ReplicaSet current =
        owned.stream()
            .filter(rs -> hash.equals(labels(rs).get(TEMPLATE_HASH)))
            .findFirst()
            .orElseGet(() -> createReplicaSet(deployment, hash, desired));
    List<Pod> currentPods = syncPods(deployment, current, desired, behaviour, now);
    int currentReady = ready(currentPods);
    boolean currentDone = currentPods.size() == desired && currentReady == desired;
    setReplicaSetStatus(current, desired, currentPods.size(), currentReady);

    int oldPods = 0;
    int oldReady = 0;
    for (ReplicaSet old : owned) {
      if (old.getMetadata().getName().equals(current.getMetadata().getName())) {
        continue;
      }
      List<Pod> pods = podsOf(old);
      if (currentDone) {
        pods.forEach(pod -> client.pods().resource(pod).delete());
        setReplicaSetStatus(old, 0, 0, 0);
      } else {
        oldPods += pods.size();
        oldReady += ready(pods);
      }
    }

    boolean complete = currentDone && oldPods == 0;
    int deadlineSeconds =
        Objects.requireNonNullElse(
            deployment.getSpec().getProgressDeadlineSeconds(), DEFAULT_DEADLINE_SECONDS);
    boolean deadlineExceeded =
        !complete && now.isAfter(started.since().plusSeconds(deadlineSeconds));
    int total = currentPods.size() + oldPods;
    int ready = currentReady + oldReady;
    DeploymentStatus status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(generation)
            .withReplicas(total)
            .withUpdatedReplicas(currentPods.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withUnavailableReplicas(total > ready ? total - ready : null)
            .withConditions(
                conditions(
                    deployment, current, desired, ready, complete, deadlineExceeded, started, now))
            .build();
    if (!status.equals(deployment.getStatus())) {
      deployment.setStatus(status);
      client.apps().deployments().inNamespace(namespace).resource(deployment).updateStatus();
    }
    boolean podsFinal = behaviour != Behaviour.CRASH_LOOP && (complete || deadlineExceeded);
    return podsFinal && stillUntil(currentPods, behaviour, now) == null;
  }

  private List<DeploymentCondition> conditions(
      Deployment deployment,
      ReplicaSet current,
      int desired,
      int ready,
      boolean complete,
      boolean deadlineExceeded,
      Progress started,
      Instant now) {
    Map<String, DeploymentCondition> previous = new HashMap<>();
    if (deployment.getStatus() != null && deployment.getStatus().getConditions() != null) {
      deployment.getStatus().getConditions().forEach(c -> previous.put(c.getType(), c));
    }
    String rs = current.getMetadata().getName();
    boolean available = ready >= desired;
    DeploymentCondition availability =
        condition(
            previous.get("Available"),
            "Available",
            available ? "True" : "False",
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.",
            now);
    DeploymentCondition progressing;
    if (complete) {
      progressing =
          condition(
              previous.get("Progressing"),
              "Progressing",
              "True",
              "NewReplicaSetAvailable",
              "ReplicaSet \"" + rs + "\" has successfully progressed.",
              now);
    } else if (deadlineExceeded) {
      progressing =
          condition(
              previous.get("Progressing"),
              "Progressing",
              "False",
              "ProgressDeadlineExceeded",
              "ReplicaSet \"" + rs + "\" has timed out progressing.",
              now);
    } else {
      progressing =
          condition(
              previous.get("Progressing"),
              "Progressing",
              "True",
              "ReplicaSetUpdated",
              "ReplicaSet \"" + rs + "\" is progressing.",
              started.since());
    }
    return List.of(availability, progressing);
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
            .withOwnerReferences(ownerReference(deployment))
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
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

  private List<Pod> syncPods(
      Deployment deployment, ReplicaSet replicaSet, int desired, Behaviour behaviour, Instant now) {
    if (!Objects.equals(replicaSet.getSpec().getReplicas(), desired)) {
      replicaSet.getSpec().setReplicas(desired);
      replicaSet = client.apps().replicaSets().resource(replicaSet).update();
    }
    List<Pod> pods = new ArrayList<>(podsOf(replicaSet));
    while (pods.size() > desired) {
      Pod extra = pods.remove(pods.size() - 1);
      client.pods().resource(extra).delete();
    }
    while (pods.size() < desired) {
      pods.add(createPod(deployment, replicaSet, behaviour, now));
    }
    List<Pod> result = new ArrayList<>(pods.size());
    for (Pod pod : pods) {
      PodStatus status = podStatus(pod, behaviour, now);
      if (!status.equals(pod.getStatus())) {
        pod.setStatus(status);
        pod = client.pods().resource(pod).updateStatus();
      }
      result.add(pod);
    }
    return result;
  }

  private Pod createPod(
      Deployment deployment, ReplicaSet replicaSet, Behaviour behaviour, Instant now) {
    String name = replicaSet.getMetadata().getName() + "-" + suffix();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(replicaSet.getMetadata().getNamespace())
            .withLabels(replicaSet.getSpec().getTemplate().getMetadata().getLabels())
            .addToAnnotations(STARTED_AT, now.toString())
            .withOwnerReferences(ownerReference(replicaSet))
            .endMetadata()
            .withSpec(replicaSet.getSpec().getTemplate().getSpec())
            .editSpec()
            .withNodeName("sandbox-node")
            .endSpec()
            .build();
    pod.setStatus(podStatus(pod, behaviour, now));
    Pod created = client.pods().resource(pod).create();
    String image = BehaviourPolicy.imageOf(deployment);
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

  /** The status the kubelet would report for {@code pod} at {@code now}. */
  private PodStatus podStatus(Pod pod, Behaviour behaviour, Instant now) {
    Instant started = Instant.parse(pod.getMetadata().getAnnotations().get(STARTED_AT));
    long age = Duration.between(started, now).toMillis();
    String image = pod.getSpec().getContainers().get(0).getImage();
    String startedAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
    ContainerStatusBuilder container =
        new ContainerStatusBuilder()
            .withName(containerName(pod))
            .withImage(image)
            .withImageID(image)
            .withRestartCount(0);
    boolean ready = false;
    String phase = "Running";
    switch (behaviour) {
      case AVAILABLE -> {
        ready = age >= settings.readyAfter().toMillis();
        container.withStarted(true).withNewState().withNewRunning(startedAt).endState();
      }
      case NEVER_READY ->
          container.withStarted(true).withNewState().withNewRunning(startedAt).endState();
      case CRASH_LOOP -> {
        int restarts = 1 + (int) (age / Math.max(1, settings.restartEvery().toMillis()));
        container
            .withStarted(false)
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
      case IMAGE_PULL_ERROR -> {
        phase = "Pending";
        boolean backingOff = age >= settings.restartEvery().toMillis();
        container
            .withStarted(false)
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
    ContainerStatus status = container.withReady(ready).build();
    String readiness = ready ? "True" : "False";
    List<PodCondition> conditions =
        List.of(
            podCondition("PodScheduled", "True", startedAt),
            podCondition("Initialized", "True", startedAt),
            podCondition("ContainersReady", readiness, startedAt),
            podCondition("Ready", readiness, startedAt));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withContainerStatuses(status)
        .withHostIP("10.0.0.1")
        .withStartTime(startedAt)
        .build();
  }

  /** When a pod's status will next change by itself, or null when it will not. */
  private Instant stillUntil(List<Pod> pods, Behaviour behaviour, Instant now) {
    if (behaviour == Behaviour.AVAILABLE || behaviour == Behaviour.IMAGE_PULL_ERROR) {
      Duration wait =
          behaviour == Behaviour.AVAILABLE ? settings.readyAfter() : settings.restartEvery();
      for (Pod pod : pods) {
        Instant change =
            Instant.parse(pod.getMetadata().getAnnotations().get(STARTED_AT)).plus(wait);
        if (change.isAfter(now)) {
          return change;
        }
      }
    }
    return null;
  }

  private static PodCondition podCondition(String type, String status, String at) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(at)
        .build();
  }

  private void warn(Pod pod, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .v1()
        .events()
        .inNamespace(pod.getMetadata().getNamespace())
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(pod.getMetadata().getName() + "." + suffix())
                .withNamespace(pod.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("Pod")
                .withApiVersion("v1")
                .withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace())
                .withUid(pod.getMetadata().getUid())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource("kubelet", "sandbox-node")
                .build())
        .create();
  }

  private void setReplicaSetStatus(ReplicaSet replicaSet, int replicas, int pods, int ready) {
    if (!Objects.equals(replicaSet.getSpec().getReplicas(), replicas)) {
      ReplicaSet latest = client.apps().replicaSets().resource(replicaSet).get();
      if (latest == null) {
        return;
      }
      latest.getSpec().setReplicas(replicas);
      replicaSet = client.apps().replicaSets().resource(latest).update();
    }
    var status =
        new ReplicaSetStatusBuilder()
            .withReplicas(pods)
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withFullyLabeledReplicas(pods)
            .withObservedGeneration(replicaSet.getMetadata().getGeneration())
            .build();
    if (!status.equals(replicaSet.getStatus())) {
      replicaSet.setStatus(status);
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
        .filter(rs -> ownedBy(rs, uid))
        .toList();
  }

  private List<Pod> podsOf(ReplicaSet replicaSet) {
    String uid = replicaSet.getMetadata().getUid();
    return client
        .pods()
        .inNamespace(replicaSet.getMetadata().getNamespace())
        .withLabels(replicaSet.getSpec().getSelector().getMatchLabels())
        .list()
        .getItems()
        .stream()
        .filter(pod -> ownedBy(pod, uid))
        .sorted(
            (a, b) ->
                a.getMetadata()
                    .getAnnotations()
                    .getOrDefault(STARTED_AT, "")
                    .compareTo(b.getMetadata().getAnnotations().getOrDefault(STARTED_AT, "")))
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
        podsOf(replicaSet).forEach(pod -> client.pods().resource(pod).delete());
        client.apps().replicaSets().resource(replicaSet).delete();
      }
    }
  }

  private static boolean ownedBy(HasMetadata object, String uid) {
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(owner -> uid.equals(owner.getUid()));
  }

  private static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static int ready(List<Pod> pods) {
    return (int)
        pods.stream()
            .filter(
                pod ->
                    pod.getStatus() != null
                        && pod.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
            .count();
  }

  private static int replicas(Deployment deployment) {
    return Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
  }

  private static Map<String, String> labels(HasMetadata object) {
    return Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of());
  }

  private static Map<String, String> templateLabels(Deployment deployment) {
    var metadata = deployment.getSpec().getTemplate().getMetadata();
    return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
  }

  private static String containerName(Pod pod) {
    return pod.getSpec().getContainers().get(0).getName();
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

  private static String suffix() {
    StringBuilder suffix = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return suffix.toString();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** When the current rollout of a Deployment (its generation and template) began. */
  private record Progress(long generation, String hash, Instant since) {}
}
