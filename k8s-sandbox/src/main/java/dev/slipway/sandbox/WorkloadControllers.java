package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The controllers of kube-controller-manager beside the Deployment's, as far as a rollout needs
 * them: StatefulSets (ordered pods {@code <name>-0..n-1}, replaced when the template changes, and
 * the replica counts and revisions of their status), Jobs (pods run to completion; {@code
 * Complete}, or {@code Failed} with {@code BackoffLimitExceeded}), and HorizontalPodAutoscalers
 * (which keep their target's replicas between {@code minReplicas} and {@code maxReplicas}, through
 * the scale subresource, as field manager {@code kube-controller-manager}).
 */
final class WorkloadControllers {

  /** The field manager of the controllers' writes, as on a real cluster. */
  static final String CONTROLLER_MANAGER = "kube-controller-manager";

  private final KubernetesClient client;
  private final BehaviourPolicy policy;
  private final Kubelet kubelet;

  WorkloadControllers(KubernetesClient client, BehaviourPolicy policy, Kubelet kubelet) {
    this.client = client;
    this.policy = policy;
    this.kubelet = kubelet;
  }

  /** Moves one StatefulSet one step; returns whether nothing more will happen without a write. */
  boolean statefulSet(String namespace, String name) {
    StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (set == null) {
      deletePods(namespace, name, "StatefulSet");
      return true;
    }
    int desired = Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
    String revision = name + "-" + DeploymentController.templateHash(set.getSpec().getTemplate());
    Behaviour behaviour = policy.behaviourOf(namespace, name, set.getSpec().getTemplate());
    Instant now = Instant.now();
    Map<String, String> selector = set.getSpec().getSelector().getMatchLabels();
    List<Pod> pods = new ArrayList<>(kubelet.podsOf(set, selector));
    boolean allReady = pods.stream().allMatch(Kubelet::ready);
    // OrderedReady: one pod at a time, stale ones from the highest ordinal down, new ones up.
    List<Pod> stale =
        pods.stream()
            .filter(
                p ->
                    ordinal(p.getMetadata().getName(), name) >= desired
                        || !revision.equals(labelOf(p, "controller-revision-hash")))
            .sorted(
                java.util.Comparator.comparingInt(
                        (Pod p) -> ordinal(p.getMetadata().getName(), name))
                    .reversed())
            .toList();
    if (!stale.isEmpty()
        && (allReady || ordinal(stale.get(0).getMetadata().getName(), name) >= desired)) {
      client.pods().resource(stale.get(0)).delete();
      pods.remove(stale.get(0));
    } else if (allReady) {
      for (int ordinal = 0; ordinal < desired; ordinal++) {
        String podName = name + "-" + ordinal;
        if (pods.stream().noneMatch(p -> p.getMetadata().getName().equals(podName))) {
          Map<String, String> labels = new LinkedHashMap<>(templateLabels(set));
          labels.put("controller-revision-hash", revision);
          labels.put("statefulset.kubernetes.io/pod-name", podName);
          pods.add(
              kubelet.create(
                  set,
                  podName,
                  set.getSpec().getTemplate(),
                  labels,
                  behaviour,
                  Kubelet.Completion.NEVER,
                  now));
          break;
        }
      }
    }
    pods = kubelet.refresh(pods, behaviour, Kubelet.Completion.NEVER, now);
    int minReady = Objects.requireNonNullElse(set.getSpec().getMinReadySeconds(), 0);
    int ready = (int) pods.stream().filter(Kubelet::ready).count();
    int available = (int) pods.stream().filter(p -> kubelet.available(p, minReady, now)).count();
    int updated =
        (int)
            pods.stream()
                .filter(p -> revision.equals(labelOf(p, "controller-revision-hash")))
                .count();
    boolean done = updated == desired && available == desired && pods.size() == desired;
    StatefulSetStatus status =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(set.getMetadata().getGeneration())
            .withReplicas(pods.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(available)
            .withCurrentReplicas(done ? desired : pods.size() - updated)
            .withUpdatedReplicas(updated)
            .withUpdateRevision(revision)
            .withCurrentRevision(done ? revision : currentRevision(set, revision))
            .build();
    if (!status.equals(set.getStatus())) {
      set.setStatus(status);
      client.apps().statefulSets().inNamespace(namespace).resource(set).updateStatus();
    }
    return done
        && behaviour != Behaviour.CRASH_LOOP
        && kubelet.nextChange(pods, behaviour, minReady, now) == null;
  }

  private static String currentRevision(StatefulSet set, String revision) {
    return set.getStatus() != null && set.getStatus().getCurrentRevision() != null
        ? set.getStatus().getCurrentRevision()
        : revision;
  }

  /** Moves one Job one step; returns whether nothing more will happen without a write. */
  boolean job(String namespace, String name) {
    Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    if (job == null) {
      deletePods(namespace, name, "Job");
      return true;
    }
    if (job.getStatus() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()))) {
      return true;
    }
    Behaviour behaviour = policy.behaviourOf(namespace, name, job.getSpec().getTemplate());
    Instant now = Instant.now();
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put("job-name", name);
    List<Pod> pods =
        kubelet.refresh(
            kubelet.podsOf(job, selector), behaviour, Kubelet.Completion.RUN_TO_COMPLETION, now);
    int succeeded = (int) pods.stream().filter(p -> "Succeeded".equals(phase(p))).count();
    int failed = (int) pods.stream().filter(p -> "Failed".equals(phase(p))).count();
    int active = pods.size() - succeeded - failed;
    int completions = Objects.requireNonNullElse(job.getSpec().getCompletions(), 1);
    int backoffLimit = Objects.requireNonNullElse(job.getSpec().getBackoffLimit(), 6);
    List<JobCondition> conditions = new ArrayList<>();
    String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (succeeded >= completions) {
      conditions.add(jobCondition("Complete", "", "", at));
    } else if (failed > backoffLimit) {
      conditions.add(
          jobCondition(
              "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", at));
    } else if (active == 0) {
      Map<String, String> labels = new LinkedHashMap<>(templateLabels(job));
      labels.put("job-name", name);
      labels.put("batch.kubernetes.io/job-name", name);
      kubelet.create(
          job,
          name + "-" + Kubelet.suffix(),
          job.getSpec().getTemplate(),
          labels,
          behaviour,
          Kubelet.Completion.RUN_TO_COMPLETION,
          now);
      active = 1;
    }
    JobStatus status =
        new JobStatusBuilder()
            .withActive(active > 0 && conditions.isEmpty() ? active : null)
            .withSucceeded(succeeded)
            .withFailed(failed)
            .withStartTime(
                job.getStatus() != null && job.getStatus().getStartTime() != null
                    ? job.getStatus().getStartTime()
                    : at)
            .withCompletionTime(succeeded >= completions ? at : null)
            .withConditions(conditions)
            .build();
    if (!status.equals(job.getStatus())) {
      job.setStatus(status);
      client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }
    return !conditions.isEmpty();
  }

  private static JobCondition jobCondition(String type, String reason, String message, String at) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason.isEmpty() ? null : reason)
        .withMessage(message.isEmpty() ? null : message)
        .withLastProbeTime(at)
        .withLastTransitionTime(at)
        .build();
  }

  /**
   * Keeps one HorizontalPodAutoscaler's target within its bounds; returns whether nothing more will
   * happen without a write.
   */
  boolean autoscaler(String namespace, String name) {
    HorizontalPodAutoscaler hpa =
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(namespace)
            .withName(name)
            .get();
    if (hpa == null || hpa.getSpec() == null || hpa.getSpec().getScaleTargetRef() == null) {
      return true;
    }
    String kind = hpa.getSpec().getScaleTargetRef().getKind();
    String target = hpa.getSpec().getScaleTargetRef().getName();
    int min = Objects.requireNonNullElse(hpa.getSpec().getMinReplicas(), 1);
    int max = Objects.requireNonNullElse(hpa.getSpec().getMaxReplicas(), min);
    Integer current = replicasOf(kind, namespace, target);
    if (current == null) {
      return false;
    }
    int desired = Math.max(min, Math.min(max, current));
    if (desired != current) {
      scale(kind, namespace, target, desired);
    }
    var status =
        new HorizontalPodAutoscalerStatusBuilder()
            .withCurrentReplicas(current)
            .withDesiredReplicas(desired)
            .withObservedGeneration(hpa.getMetadata().getGeneration())
            .build();
    if (!status.equals(hpa.getStatus())) {
      hpa.setStatus(status);
      client
          .autoscaling()
          .v2()
          .horizontalPodAutoscalers()
          .inNamespace(namespace)
          .resource(hpa)
          .updateStatus();
    }
    return false;
  }

  /**
   * Gives an Ingress, or a Service of type LoadBalancer, an address as an ingress controller or a
   * cloud's load-balancer controller would.
   */
  boolean address(String kind, String namespace, String name) {
    var address =
        new io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder()
            .withIp("10.0.0.100")
            .build();
    if ("Ingress".equals(kind)) {
      var ingress = client.network().v1().ingresses().inNamespace(namespace).withName(name).get();
      if (ingress != null
          && (ingress.getStatus() == null
              || ingress.getStatus().getLoadBalancer() == null
              || ingress.getStatus().getLoadBalancer().getIngress().isEmpty())) {
        ingress.setStatus(
            new io.fabric8.kubernetes.api.model.networking.v1.IngressStatusBuilder()
                .withNewLoadBalancer()
                .addNewIngress()
                .withIp("10.0.0.100")
                .endIngress()
                .endLoadBalancer()
                .build());
        client.network().v1().ingresses().inNamespace(namespace).resource(ingress).updateStatus();
      }
      return true;
    }
    var service = client.services().inNamespace(namespace).withName(name).get();
    if (service != null
        && "LoadBalancer".equals(service.getSpec().getType())
        && (service.getStatus() == null
            || service.getStatus().getLoadBalancer() == null
            || service.getStatus().getLoadBalancer().getIngress().isEmpty())) {
      service.setStatus(
          new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
              .withNewLoadBalancer()
              .withIngress(address)
              .endLoadBalancer()
              .build());
      client.services().inNamespace(namespace).resource(service).updateStatus();
    }
    return true;
  }

  private Integer replicasOf(String kind, String namespace, String name) {
    if ("StatefulSet".equals(kind)) {
      StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
      return set == null ? null : Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
    }
    var deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
    return deployment == null
        ? null
        : Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
  }

  private void scale(String kind, String namespace, String name, int replicas) {
    if ("StatefulSet".equals(kind)) {
      client.apps().statefulSets().inNamespace(namespace).withName(name).scale(replicas);
    } else {
      client.apps().deployments().inNamespace(namespace).withName(name).scale(replicas);
    }
  }

  private void deletePods(String namespace, String owner, String kind) {
    for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
      boolean owned =
          pod.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> kind.equals(o.getKind()) && owner.equals(o.getName()));
      if (owned) {
        client.pods().resource(pod).delete();
      }
    }
  }

  private static int ordinal(String pod, String set) {
    try {
      return Integer.parseInt(pod.substring(set.length() + 1));
    } catch (RuntimeException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static String labelOf(Pod pod, String label) {
    return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(label);
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static Map<String, String> templateLabels(StatefulSet set) {
    var metadata = set.getSpec().getTemplate().getMetadata();
    return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
  }

  private static Map<String, String> templateLabels(Job job) {
    var metadata = job.getSpec().getTemplate().getMetadata();
    return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
  }
}
