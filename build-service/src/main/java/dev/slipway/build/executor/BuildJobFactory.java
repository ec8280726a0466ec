package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.spec.BuildSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes Job of one build: its steps as containers of one pod that run in order (all but
 * the last as init containers, which Kubernetes runs one after another and stops at the first that
 * fails; the last as the pod's container), in the toolchain image, on the build's workspace from
 * the shared claim, with secret variables from a Secret of the build (never in the Job spec).
 */
public final class BuildJobFactory {

  /** Label every object of a build carries. */
  public static final String BUILD_LABEL = "slipway.dev/build-id";

  static final String WORKSPACE_MOUNT = "/workspace";

  private final BuildConfig.Kubernetes config;

  public BuildJobFactory(BuildConfig.Kubernetes config) {
    this.config = config;
  }

  /** The Job and Secret name of a build: DNS-1123, under 63 characters. */
  public static String name(String buildId) {
    String compact = buildId.replaceAll("[^a-z0-9]", "");
    return "slipway-build-" + compact.substring(0, Math.min(20, compact.length()));
  }

  /** The name of step {@code position}'s container. */
  public static String container(int position) {
    return "step-" + position;
  }

  /** The Secret holding the build's secret variables. */
  public Secret secret(StepsRequest request) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name(request.buildId()))
        .withNamespace(config.namespace())
        .addToLabels(labels(request))
        .endMetadata()
        .withType("Opaque")
        .withStringData(request.secretEnv())
        .build();
  }

  /** The Job; {@code subPath} is the build's folder inside the workspace claim. */
  public Job job(StepsRequest request, String subPath, long activeDeadlineSeconds) {
    List<Container> containers = new ArrayList<>();
    for (int i = 0; i < request.steps().size(); i++) {
      containers.add(container(request, i, subPath));
    }
    Container last = containers.remove(containers.size() - 1);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name(request.buildId()))
        .withNamespace(config.namespace())
        .addToLabels(labels(request))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Math.max(1, activeDeadlineSeconds))
        .withTtlSecondsAfterFinished(600)
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(labels(request))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(config.serviceAccount().orElse(null))
        .withAutomountServiceAccountToken(false)
        .withNodeSelector(config.nodeSelector().isEmpty() ? null : config.nodeSelector())
        .withInitContainers(containers)
        .withContainers(last)
        .addNewVolume()
        .withName("workspace")
        .withNewPersistentVolumeClaim()
        .withClaimName(config.workspaceClaim().orElseThrow())
        .endPersistentVolumeClaim()
        .endVolume()
        .addNewVolume()
        .withName("home")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Container container(StepsRequest request, int position, String subPath) {
    BuildSpec.Step step = request.steps().get(position);
    String toolchain =
        request.toolchain() == null ? config.defaultToolchain() : request.toolchain();
    String workdir =
        ".".equals(step.workdir()) ? WORKSPACE_MOUNT : WORKSPACE_MOUNT + "/" + step.workdir();
    List<EnvVar> env = new ArrayList<>();
    request.env().forEach((k, v) -> env.add(plain(k, podValue(k, v))));
    step.env().forEach((k, v) -> env.add(plain(k, v)));
    request
        .secretEnv()
        .keySet()
        .forEach(
            k ->
                env.add(
                    new EnvVarBuilder()
                        .withName(k)
                        .withNewValueFrom()
                        .withNewSecretKeyRef(k, name(request.buildId()), false)
                        .endValueFrom()
                        .build()));
    return new ContainerBuilder()
        .withName(container(position))
        .withImage(toolchain)
        // The command is the repository's run text, passed as one argument: never interpolated.
        .withCommand("/bin/sh", "-c", step.run())
        .withWorkingDir(workdir)
        .withEnv(env)
        .withResources(
            new ResourceRequirementsBuilder()
                .withRequests(
                    Map.of(
                        "cpu", new Quantity(config.cpuRequest()),
                        "memory", new Quantity(config.memoryRequest())))
                .withLimits(
                    Map.of(
                        "cpu", new Quantity(config.cpuLimit()),
                        "memory", new Quantity(config.memoryLimit())))
                .build())
        .addNewVolumeMount()
        .withName("workspace")
        .withMountPath(WORKSPACE_MOUNT)
        .withSubPath(subPath)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("home")
        .withMountPath("/slipway/home")
        .endVolumeMount()
        .build();
  }

  private static String podValue(String name, String value) {
    // HOME and TMPDIR name folders of the service's host; the pod has its own.
    return switch (name) {
      case "HOME" -> "/slipway/home";
      case "TMPDIR" -> "/tmp";
      default -> value;
    };
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static Map<String, String> labels(StepsRequest request) {
    return Map.of(
        "app.kubernetes.io/managed-by",
        "slipway",
        BUILD_LABEL,
        request.buildId(),
        "slipway.dev/application",
        request.application());
  }
}
