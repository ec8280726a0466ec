package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.spec.BuildSpec;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Jobs of one build. The steps' Job: its steps as containers of one pod that run in
 * order (all but the last as init containers, which Kubernetes runs one after another and stops at
 * the first that fails; the last as the pod's container), in the toolchain image, on the build's
 * checkout from the shared claim, with secret variables from a Secret of the build (never in the
 * Job spec). Every step container is "restricted": not root, no privilege escalation, every
 * capability dropped, seccomp RuntimeDefault, a read-only root filesystem; the pod mounts no
 * service-account token and gets no service links. The image Job: Buildah in the builder image, as
 * root in the pod but with only the capabilities Pod Security "baseline" allows, the checkout
 * read-only.
 *
 * <p>Kubernetes expands {@code $(NAME)} in a container's command, arguments and variable values;
 * every {@code $} of text the platform does not write (a step's run text, the ref pushed, a
 * variable of {@code .slipway.yaml}) is doubled ({@code $$} is Kubernetes' escape for {@code $}),
 * so the step receives exactly the text the local executor gives it.
 */
public final class BuildJobFactory {

  /** Label every object of a build carries. */
  public static final String BUILD_LABEL = "slipway.dev/build-id";

  /** The image Job's container. */
  public static final String IMAGE_CONTAINER = "image";

  /** Capabilities the image build keeps: what Pod Security "baseline" allows, minus the unused. */
  static final List<String> BUILDER_CAPABILITIES =
      List.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "SETGID",
          "SETUID",
          "SETFCAP",
          "SETPCAP",
          "SYS_CHROOT");

  private final BuildConfig.Kubernetes config;
  private final BuildConfig.Registry registry;
  private final String defaultToolchain;
  private final String builderImage;

  public BuildJobFactory(BuildConfig config) {
    this.config = config.kubernetes();
    this.registry = config.registry();
    this.defaultToolchain = config.toolchain().defaultImage();
    this.builderImage = config.imageBuilder().image();
  }

  /** The Job and Secret name of a build's steps: DNS-1123, under 63 characters. */
  public static String name(String buildId) {
    String compact = buildId.replaceAll("[^a-z0-9]", "");
    return "slipway-build-" + compact.substring(0, Math.min(20, compact.length()));
  }

  /** The Job (and registry Secret) name of a build's image. */
  public static String imageJobName(String buildId) {
    return name(buildId) + "-image";
  }

  /** The name of step {@code position}'s container. */
  public static String container(int position) {
    return "step-" + position;
  }

  /**
   * Escapes {@code text} for a field Kubernetes expands ({@code command}, {@code args}, {@code
   * env[].value}): {@code $} becomes {@code $$}, which Kubernetes turns back into one {@code $}, so
   * no {@code $(NAME)} in it is ever expanded.
   */
  public static String escape(String text) {
    return text.replace("$", "$$");
  }

  /** The toolchain image of a request. */
  public String toolchain(StepsRequest request) {
    return request.toolchain() == null ? defaultToolchain : request.toolchain();
  }

  /** The Secret holding the build's secret variables. */
  public Secret secret(StepsRequest request) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name(request.buildId()))
        .withNamespace(config.namespace())
        .addToLabels(labels(request.buildId(), request.application()))
        .endMetadata()
        .withType("Opaque")
        .withStringData(request.secretEnv())
        .build();
  }

  /** The steps' Job; {@code subPath} is the build's checkout inside the workspace claim. */
  public Job job(StepsRequest request, String subPath, long activeDeadlineSeconds) {
    List<Container> containers = new ArrayList<>();
    for (int i = 0; i < request.steps().size(); i++) {
      containers.add(container(request, i, subPath));
    }
    Container last = containers.remove(containers.size() - 1);
    PodSpec pod =
        podSpec()
            .withInitContainers(containers)
            .withContainers(last)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(config.runAsUser())
            .withRunAsGroup(config.runAsUser())
            .withFsGroup(config.runAsUser())
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
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
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .build();
    return job(
        name(request.buildId()),
        request.buildId(),
        request.application(),
        pod,
        activeDeadlineSeconds);
  }

  /**
   * The image Job: the builder container reads the checkout ({@code sourcePath}) and writes the
   * pushed digest into {@code outPath}, both inside the workspace claim.
   */
  public Job imageJob(
      ImageBuildRequest request, String sourcePath, String outPath, long activeDeadlineSeconds) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", StepEnvironment.PATH);
    env.put("HOME", "/var/lib/containers/home");
    env.put("TMPDIR", "/var/lib/containers/tmp");
    env.put("STORAGE_DRIVER", "vfs");
    env.put("BUILDAH_ISOLATION", "chroot");
    env.put("IMAGE", request.reference());
    env.put("PUSH_TO", request.reference());
    env.put("DOCKERFILE", inWorkspace(request.dockerfile()));
    env.put("CONTEXT", inWorkspace(request.context()));
    env.put("TLS_VERIFY", Boolean.toString(!registry.insecure()));
    boolean auth = registry.username().isPresent() && registry.password().isPresent();
    if (auth) {
      env.put("REGISTRY_AUTH_FILE", "/run/slipway/auth/auth.json");
    }
    List<EnvVar> vars = new ArrayList<>();
    env.forEach((k, v) -> vars.add(plain(k, v)));
    ContainerBuilder container =
        new ContainerBuilder()
            .withName(IMAGE_CONTAINER)
            .withImage(builderImage)
            .withCommand("/bin/sh", "-c", escape(ContainerExecutor.BUILDER_SCRIPT))
            .withWorkingDir(StepEnvironment.WORKSPACE)
            .withEnv(vars)
            .withResources(resources())
            .withSecurityContext(
                new SecurityContextBuilder()
                    .withRunAsUser(0L)
                    .withRunAsNonRoot(false)
                    .withAllowPrivilegeEscalation(false)
                    .withCapabilities(
                        new CapabilitiesBuilder()
                            .withDrop("ALL")
                            .withAdd(BUILDER_CAPABILITIES)
                            .build())
                    .withNewSeccompProfile()
                    .withType("RuntimeDefault")
                    .endSeccompProfile()
                    .build())
            .addNewVolumeMount()
            .withName("workspace")
            .withMountPath(StepEnvironment.WORKSPACE)
            .withSubPath(sourcePath)
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("workspace")
            .withMountPath("/out")
            .withSubPath(outPath)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("storage")
            .withMountPath("/var/lib/containers")
            .endVolumeMount();
    PodSpecBuilder pod =
        podSpec()
            .withNewSecurityContext()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewVolume()
            .withName("workspace")
            .withNewPersistentVolumeClaim()
            .withClaimName(config.workspaceClaim().orElseThrow())
            .endPersistentVolumeClaim()
            .endVolume()
            .addNewVolume()
            .withName("storage")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume();
    if (auth) {
      container
          .addNewVolumeMount()
          .withName("registry-auth")
          .withMountPath("/run/slipway/auth")
          .withReadOnly(true)
          .endVolumeMount();
      pod.addNewVolume()
          .withName("registry-auth")
          .withNewSecret()
          .withSecretName(imageJobName(request.buildId()))
          .withDefaultMode(0400)
          .addNewItem()
          .withKey(".dockerconfigjson")
          .withPath("auth.json")
          .endItem()
          .endSecret()
          .endVolume();
    }
    return job(
        imageJobName(request.buildId()),
        request.buildId(),
        request.application(),
        pod.withContainers(container.build()).build(),
        activeDeadlineSeconds);
  }

  /** The registry's push credentials as a dockerconfigjson Secret, when it needs any. */
  public Optional<Secret> registrySecret(ImageBuildRequest request) {
    if (registry.username().isEmpty() || registry.password().isEmpty()) {
      return Optional.empty();
    }
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (registry.username().get() + ":" + registry.password().get())
                    .getBytes(StandardCharsets.UTF_8));
    return Optional.of(
        new SecretBuilder()
            .withNewMetadata()
            .withName(imageJobName(request.buildId()))
            .withNamespace(config.namespace())
            .addToLabels(labels(request.buildId(), request.application()))
            .endMetadata()
            .withType("kubernetes.io/dockerconfigjson")
            .withStringData(
                Map.of(
                    ".dockerconfigjson",
                    "{\"auths\":{\"" + registry.address() + "\":{\"auth\":\"" + auth + "\"}}}"))
            .build());
  }

  private PodSpecBuilder podSpec() {
    return new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withServiceAccountName(config.serviceAccount().orElse(null))
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNodeSelector(config.nodeSelector().isEmpty() ? null : config.nodeSelector());
  }

  private Job job(String name, String buildId, String application, PodSpec pod, long deadline) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(config.namespace())
        .addToLabels(labels(buildId, application))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Math.max(1, deadline))
        .withTtlSecondsAfterFinished(600)
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(labels(buildId, application))
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  private Container container(StepsRequest request, int position, String subPath) {
    BuildSpec.Step step = request.steps().get(position);
    String relative =
        java.nio.file.Path.of(request.directory(), step.workdir()).normalize().toString();
    String workdir =
        relative.isEmpty() || ".".equals(relative)
            ? StepEnvironment.WORKSPACE
            : StepEnvironment.WORKSPACE + "/" + relative;
    Map<String, String> values = new LinkedHashMap<>(request.env());
    values.putAll(step.env());
    List<EnvVar> env = new ArrayList<>();
    values.forEach(
        (k, v) -> {
          if (!request.secretEnv().containsKey(k)) {
            env.add(plain(k, v));
          }
        });
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
        .withImage(toolchain(request))
        // The run text goes to the shell as one argument, escaped from Kubernetes' expansion.
        .withCommand("/bin/sh", "-c", escape(step.run()))
        .withWorkingDir(workdir)
        .withEnv(env)
        .withResources(resources())
        .withSecurityContext(restricted())
        .addNewVolumeMount()
        .withName("workspace")
        .withMountPath(StepEnvironment.WORKSPACE)
        .withSubPath(subPath)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("home")
        .withMountPath(StepEnvironment.HOME)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath(StepEnvironment.TMP)
        .endVolumeMount()
        .build();
  }

  /** Pod Security "restricted" for a step container. */
  private SecurityContext restricted() {
    Capabilities none = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(config.runAsUser())
        .withRunAsGroup(config.runAsUser())
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(none)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private ResourceRequirements resources() {
    return new ResourceRequirementsBuilder()
        .withRequests(
            Map.of(
                "cpu", new Quantity(config.cpuRequest()),
                "memory", new Quantity(config.memoryRequest()),
                "ephemeral-storage", new Quantity(config.ephemeralStorage())))
        .withLimits(
            Map.of(
                "cpu", new Quantity(config.cpuLimit()),
                "memory", new Quantity(config.memoryLimit()),
                "ephemeral-storage", new Quantity(config.ephemeralStorage())))
        .build();
  }

  private static String inWorkspace(String relative) {
    return ".".equals(relative) || relative.isEmpty()
        ? StepEnvironment.WORKSPACE
        : StepEnvironment.WORKSPACE + "/" + relative;
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(escape(value)).build();
  }

  private static Map<String, String> labels(String buildId, String application) {
    return Map.of(
        "app.kubernetes.io/managed-by",
        "slipway",
        BUILD_LABEL,
        buildId,
        "slipway.dev/application",
        application);
  }
}
