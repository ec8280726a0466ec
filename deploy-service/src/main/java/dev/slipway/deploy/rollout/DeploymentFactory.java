package dev.slipway.deploy.rollout;

import dev.slipway.events.DeploymentSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link Workload} into the Deployment slipway applies: the image by digest, the
 * environment's replicas, port, resources, probes and variables, Slipway's labels, and the
 * release's annotations. Pod template labels carry the track, so the stable and canary Deployments
 * never select each other's pods while the application's Service selects both.
 */
public final class DeploymentFactory {

  /** The application label, selected by the application's Service. */
  public static final String NAME = "app.kubernetes.io/name";

  /** Marks objects Slipway manages. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** stable or canary. */
  public static final String TRACK = "slipway.dev/track";

  /** Annotation keys of the release a Deployment belongs to. */
  public static final String RUN_ID = "slipway.dev/run-id";

  public static final String COMMIT = "slipway.dev/commit";
  public static final String REVISION = "slipway.dev/revision";
  public static final String ROLLOUT = "slipway.dev/rollout-id";
  public static final String DIGEST = "slipway.dev/image-digest";

  /** The name of the one container. */
  public static final String CONTAINER = "app";

  private DeploymentFactory() {}

  /** The Deployment of {@code workload}. */
  public static Deployment create(Workload workload) {
    DeploymentSettings settings = workload.settings();
    Map<String, String> selector = selector(workload);
    Map<String, String> labels = new LinkedHashMap<>(selector);
    labels.put(MANAGED_BY, "slipway");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(workload.deploymentName())
        .withNamespace(workload.namespace())
        .withLabels(labels)
        .withAnnotations(new TreeMap<>(workload.annotations()))
        .endMetadata()
        .withNewSpec()
        .withReplicas(workload.replicas())
        .withProgressDeadlineSeconds(settings.timeoutSeconds())
        .withRevisionHistoryLimit(5)
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        // Never below the desired capacity: new pods come up before old ones go.
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString("25%"))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(workload.image())
        .addNewPort()
        .withName("http")
        .withContainerPort(settings.port())
        .withProtocol("TCP")
        .endPort()
        .withEnv(
            new TreeMap<>(settings.env())
                .entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
        .withResources(resources(settings.resources()))
        .withReadinessProbe(probe(settings, 0, 5, 3))
        .withLivenessProbe(probe(settings, 10, 10, 3))
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The labels that select {@code workload}'s pods. */
  public static Map<String, String> selector(Workload workload) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(NAME, workload.application());
    selector.put(TRACK, workload.track().label());
    return selector;
  }

  private static Probe probe(
      DeploymentSettings settings, int initialDelay, int period, int failureThreshold) {
    ProbeBuilder probe =
        new ProbeBuilder()
            .withInitialDelaySeconds(initialDelay)
            .withPeriodSeconds(period)
            .withFailureThreshold(failureThreshold);
    if (settings.healthPath() != null && !settings.healthPath().isBlank()) {
      probe
          .withNewHttpGet()
          .withPath(settings.healthPath())
          .withPort(new IntOrString(settings.port()))
          .endHttpGet();
    } else {
      probe.withNewTcpSocket().withPort(new IntOrString(settings.port())).endTcpSocket();
    }
    return probe.build();
  }

  private static ResourceRequirements resources(DeploymentSettings.Resources resources) {
    ResourceRequirementsBuilder builder = new ResourceRequirementsBuilder();
    if (resources == null) {
      return builder.build();
    }
    if (resources.cpuRequest() != null) {
      builder.addToRequests("cpu", new Quantity(resources.cpuRequest()));
    }
    if (resources.memoryRequest() != null) {
      builder.addToRequests("memory", new Quantity(resources.memoryRequest()));
    }
    if (resources.cpuLimit() != null) {
      builder.addToLimits("cpu", new Quantity(resources.cpuLimit()));
    }
    if (resources.memoryLimit() != null) {
      builder.addToLimits("memory", new Quantity(resources.memoryLimit()));
    }
    return builder.build();
  }
}
