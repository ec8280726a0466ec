package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * Does in the sandbox what kube-controller-manager and the kubelet do in a cluster: it hands every
 * written Deployment, StatefulSet, Job and HorizontalPodAutoscaler to its controller ({@link
 * DeploymentController}, {@link WorkloadControllers}), each on its own {@link ControllerLoop}, and
 * their pods to the {@link Kubelet}, whose reports follow the {@link BehaviourPolicy}.
 */
public final class RolloutSimulator implements AutoCloseable {

  /**
   * Timings of the simulated kubelet.
   *
   * @param readyAfter how long a pod of an available image takes to become ready
   * @param restartEvery how often a crash-looping container restarts (and how long an image pull
   *     takes to fail the first time)
   * @param resync how often objects still moving are looked at again
   * @param threads reconciler threads per kind
   */
  public record Settings(Duration readyAfter, Duration restartEvery, Duration resync, int threads) {

    /** Ready at once, a restart a second, a look every 250 ms, two threads. */
    public static final Settings DEFAULTS =
        new Settings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(250), 2);
  }

  /** The label that ties pods to the ReplicaSet of one pod template. */
  public static final String TEMPLATE_HASH = DeploymentController.TEMPLATE_HASH;

  private final ControllerLoop deployments;
  private final ControllerLoop statefulSets;
  private final ControllerLoop jobs;
  private final ControllerLoop autoscalers;
  private final ControllerLoop addresses;
  private final ControllerLoop ingresses;

  /**
   * @param client a client of the sandbox API server, as the controllers' field manager
   * @param policy how each workload's pods behave
   * @param settings timings
   */
  public RolloutSimulator(KubernetesClient client, BehaviourPolicy policy, Settings settings) {
    Kubelet kubelet = new Kubelet(client, settings);
    DeploymentController deployment = new DeploymentController(client, policy, kubelet);
    WorkloadControllers workloads = new WorkloadControllers(client, policy, kubelet);
    this.deployments =
        new ControllerLoop(
            "deployments", deployment::reconcile, settings.resync(), settings.threads());
    this.statefulSets =
        new ControllerLoop("statefulsets", workloads::statefulSet, settings.resync(), 1);
    this.jobs = new ControllerLoop("jobs", workloads::job, settings.resync(), 1);
    this.autoscalers =
        new ControllerLoop("autoscalers", workloads::autoscaler, settings.resync(), 1);
    this.ingresses =
        new ControllerLoop(
            "ingresses",
            (ns, name) -> workloads.address("Ingress", ns, name),
            settings.resync(),
            1);
    this.addresses =
        new ControllerLoop(
            "services", (ns, name) -> workloads.address("Service", ns, name), settings.resync(), 1);
  }

  /** Tells the simulator that a Deployment was written or deleted. */
  public void deploymentChanged(String namespace, String name) {
    deployments.enqueue(namespace, name);
  }

  /** Tells the simulator that an object of {@code kind} was written or deleted. */
  public void changed(String kind, String namespace, String name) {
    switch (kind) {
      case "Deployment" -> deployments.enqueue(namespace, name);
      case "StatefulSet" -> statefulSets.enqueue(namespace, name);
      case "Job" -> jobs.enqueue(namespace, name);
      case "HorizontalPodAutoscaler" -> autoscalers.enqueue(namespace, name);
      case "Ingress" -> ingresses.enqueue(namespace, name);
      case "Service" -> addresses.enqueue(namespace, name);
      default -> {}
    }
  }

  /** The pod-template-hash of {@code template}, as the Deployment controller names it. */
  static String templateHash(PodTemplateSpec template) {
    return DeploymentController.templateHash(template);
  }

  @Override
  public void close() {
    deployments.close();
    statefulSets.close();
    jobs.close();
    autoscalers.close();
    ingresses.close();
    addresses.close();
  }
}
