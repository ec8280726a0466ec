package dev.slipway.deploy.rollout;

import dev.slipway.events.DeploymentSettings;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link Workload} into the Deployment slipway applies: the image by digest, the
 * environment's replicas, port (and extra ports), resources, probes, variables (plain, from
 * ConfigMaps and Secrets, or one Secret key each), volumes from ConfigMaps and Secrets, service
 * account, command and arguments, Slipway's labels, the release's annotations, and a security
 * context that Pod Security's "restricted" profile admits (non-root, no privilege escalation, all
 * capabilities dropped, the runtime's seccomp profile). Pod template labels carry the track, so the
 * stable and canary Deployments never select each other's pods while the application's Service
 * selects both.
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
    DeploymentSettings.PodOptions pod = settings.pod();
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
        .withMinReadySeconds(settings.minReadySeconds() > 0 ? settings.minReadySeconds() : null)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(pod.serviceAccountName())
        // Pod Security "restricted": what a namespace enforcing it admits.
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withVolumes(volumes(pod))
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(workload.image())
        .withCommand(pod.command().isEmpty() ? null : pod.command())
        .withArgs(pod.args().isEmpty() ? null : pod.args())
        .withPorts(ports(settings))
        .withEnv(env(settings))
        .withEnvFrom(envFrom(pod))
        .withVolumeMounts(mounts(pod))
        .withResources(resources(settings.resources()))
        .withReadinessProbe(probe(settings, 0, 5, 3))
        .withLivenessProbe(probe(settings, 10, 10, 3))
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static List<ContainerPort> ports(DeploymentSettings settings) {
    List<ContainerPort> ports = new ArrayList<>();
    ports.add(
        new ContainerPortBuilder()
            .withName("http")
            .withContainerPort(settings.port())
            .withProtocol("TCP")
            .build());
    for (DeploymentSettings.NamedPort extra : settings.pod().ports()) {
      ports.add(
          new ContainerPortBuilder()
              .withName(extra.name())
              .withContainerPort(extra.port())
              .withProtocol("TCP")
              .build());
    }
    return ports;
  }

  private static List<EnvVar> env(DeploymentSettings settings) {
    List<EnvVar> env = new ArrayList<>();
    new TreeMap<>(settings.env()).forEach((name, value) -> env.add(new EnvVar(name, value, null)));
    new TreeMap<>(settings.pod().secretEnv())
        .forEach(
            (name, key) ->
                env.add(
                    new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(key.secret())
                        .withKey(key.key())
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build()));
    return env;
  }

  private static List<EnvFromSource> envFrom(DeploymentSettings.PodOptions pod) {
    List<EnvFromSource> sources = new ArrayList<>();
    for (String configMap : pod.envFromConfigMaps()) {
      sources.add(
          new EnvFromSourceBuilder()
              .withNewConfigMapRef()
              .withName(configMap)
              .endConfigMapRef()
              .build());
    }
    for (String secret : pod.envFromSecrets()) {
      sources.add(
          new EnvFromSourceBuilder().withNewSecretRef().withName(secret).endSecretRef().build());
    }
    return sources;
  }

  private static List<Volume> volumes(DeploymentSettings.PodOptions pod) {
    List<Volume> volumes = new ArrayList<>();
    for (DeploymentSettings.Volume volume : pod.volumes()) {
      VolumeBuilder builder = new VolumeBuilder().withName(volume.name());
      if (volume.configMap() != null) {
        builder.withNewConfigMap().withName(volume.configMap()).endConfigMap();
      } else {
        builder.withNewSecret().withSecretName(volume.secret()).endSecret();
      }
      volumes.add(builder.build());
    }
    return volumes;
  }

  private static List<VolumeMount> mounts(DeploymentSettings.PodOptions pod) {
    List<VolumeMount> mounts = new ArrayList<>();
    for (DeploymentSettings.Volume volume : pod.volumes()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName(volume.name())
              .withMountPath(volume.mountPath())
              .withReadOnly(true)
              .build());
    }
    return mounts;
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
