package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.StepListener.StepStatus;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.stage.Durations;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs a build's steps as a Kubernetes Job (see {@link BuildJobFactory}) and follows it: each
 * step's container log is streamed into the build log as it runs, its end read from the pod status
 * (exit code, or OOMKilled and the like), a pod that was evicted or a Job that was deleted fails
 * the build with that reason, and a step over its timeout or a cancel deletes the Job. The Job, its
 * pod and the build's Secret are deleted when the build ends, whatever the outcome.
 */
public final class KubernetesExecutor implements StepExecutor {

  private final KubernetesClient client;
  private final BuildConfig.Kubernetes config;
  private final Path mountedWorkspaces;
  private final BuildJobFactory factory;

  public KubernetesExecutor(KubernetesClient client, BuildConfig buildConfig, Path workspaceDir) {
    BuildConfig.Kubernetes config = buildConfig.kubernetes();
    if (config.workspaceClaim().isEmpty()) {
      throw new IllegalStateException(
          "the kubernetes executor needs slipway.build.kubernetes.workspace-claim: the claim"
              + " shared by this service and the build pods");
    }
    this.client = client;
    this.config = config;
    this.mountedWorkspaces = Path.of(config.workspaceMountPath());
    this.factory = new BuildJobFactory(buildConfig);
    if (!workspaceDir.toAbsolutePath().normalize().startsWith(mountedWorkspaces)) {
      throw new IllegalStateException(
          "slipway.build.workspace-dir must lie under the claim's mount path " + mountedWorkspaces);
    }
  }

  @Override
  public StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation) {
    String name = BuildJobFactory.name(request.buildId());
    String namespace = config.namespace();
    String subPath = mountedWorkspaces.relativize(request.workspace().source()).toString();
    long deadlineSeconds = Duration.between(Instant.now(), request.deadline()).toSeconds();
    try {
      if (!request.secretEnv().isEmpty()) {
        client.secrets().inNamespace(namespace).resource(factory.secret(request)).create();
      }
      Job job = factory.job(request, subPath, deadlineSeconds);
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (KubernetesClientException e) {
      cleanUp(namespace, name, request.buildId());
      return StepsResult.failed(
          request.steps().get(0).name(),
          null,
          "Kubernetes refused the build Job: " + e.getMessage());
    }
    log.info("==> Job " + namespace + "/" + name + " created");
    try (AutoCloseable stop = cancellation.onCancel(() -> deleteJob(namespace, name))) {
      return follow(request, namespace, name, log, listener, cancellation)
          .in(factory.toolchain(request));
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      cleanUp(namespace, name, request.buildId());
    }
  }

  private StepsResult follow(
      StepsRequest request,
      String namespace,
      String name,
      BuildLog log,
      StepListener listener,
      Cancellation cancellation) {
    Instant startDeadline = Instant.now().plus(config.startTimeout());
    for (int i = 0; i < request.steps().size(); i++) {
      var step = request.steps().get(i);
      String container = BuildJobFactory.container(i);
      Instant start = Instant.now();
      Instant deadline = request.deadline();
      boolean stepDeadline = false;
      if (step.timeout() != null && start.plus(step.timeout()).isBefore(deadline)) {
        deadline = start.plus(step.timeout());
        stepDeadline = true;
      }
      log.info("==> step " + step.name() + ": " + step.run());
      listener.started(i, step.name());
      Observation seen =
          awaitStarted(namespace, name, container, i == 0 ? startDeadline : deadline, cancellation);
      if (seen.problem() == null) {
        streamLog(namespace, seen.pod(), container, log);
        seen = awaitTerminated(namespace, name, container, deadline, cancellation);
      }
      long ms = Duration.between(start, Instant.now()).toMillis();
      if (cancellation.isCancelled()) {
        listener.finished(i, step.name(), StepStatus.CANCELLED, null, ms);
        return StepsResult.cancelled(step.name(), "cancelled by " + cancellation.requestedBy());
      }
      if (seen.problem() == Problem.TIMEOUT) {
        deleteJob(namespace, name);
        String reason =
            stepDeadline
                ? "step timed out after " + Durations.human(step.timeout())
                : "build timed out; step stopped after " + Durations.human(ms);
        log.info("==> step " + step.name() + ": " + reason);
        listener.finished(i, step.name(), StepStatus.TIMED_OUT, null, ms);
        return StepsResult.timedOut(step.name(), reason);
      }
      if (seen.problem() != null) {
        log.info("==> step " + step.name() + ": " + seen.reason());
        listener.finished(i, step.name(), StepStatus.FAILED, null, ms);
        return StepsResult.failed(step.name(), null, seen.reason());
      }
      ContainerStateTerminated end = seen.terminated();
      int exit = end.getExitCode() == null ? -1 : end.getExitCode();
      log.info(
          "==> step "
              + step.name()
              + " exited with code "
              + exit
              + " after "
              + Durations.human(ms));
      if (exit != 0) {
        String reason =
            end.getReason() == null || "Error".equals(end.getReason())
                ? "exit code " + exit
                : end.getReason() + " (exit code " + exit + ")";
        listener.finished(i, step.name(), StepStatus.FAILED, exit, ms);
        return StepsResult.failed(step.name(), exit, reason);
      }
      listener.finished(i, step.name(), StepStatus.SUCCEEDED, 0, ms);
    }
    return StepsResult.succeeded(null);
  }

  /**
   * Builds the Dockerfile in a Job of its own in the build namespace (Buildah with chroot
   * isolation, as root in the pod but without privilege: Pod Security "baseline"), on the build's
   * checkout read-only from the workspace claim; the registry's credentials reach it as a
   * dockerconfigjson Secret mounted as a file, never in its command or environment.
   */
  @Override
  public PushedImage buildImage(
      ImageBuildRequest request, BuildLog log, Cancellation cancellation) {
    String name = BuildJobFactory.imageJobName(request.buildId());
    String namespace = config.namespace();
    Path out = request.workspace().out();
    long started = System.currentTimeMillis();
    try {
      Files.deleteIfExists(out.resolve("digest"));
      Files.deleteIfExists(out.resolve("built"));
      factory
          .registrySecret(request)
          .ifPresent(secret -> client.secrets().inNamespace(namespace).resource(secret).create());
      long deadlineSeconds = Duration.between(Instant.now(), request.deadline()).toSeconds();
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .resource(
              factory.imageJob(
                  request,
                  mountedWorkspaces.relativize(request.workspace().source()).toString(),
                  mountedWorkspaces.relativize(out).toString(),
                  deadlineSeconds))
          .create();
    } catch (KubernetesClientException | IOException e) {
      cleanUp(namespace, name, request.buildId());
      throw new ImageException(
          "image", null, "Kubernetes refused the image Job: " + e.getMessage(), e);
    }
    log.info("==> Job " + namespace + "/" + name + " created");
    try (AutoCloseable stop = cancellation.onCancel(() -> deleteJob(namespace, name))) {
      Instant startDeadline = Instant.now().plus(config.startTimeout());
      Observation seen =
          awaitStarted(
              namespace,
              name,
              BuildJobFactory.IMAGE_CONTAINER,
              startDeadline.isBefore(request.deadline()) ? startDeadline : request.deadline(),
              cancellation);
      if (seen.problem() == null) {
        streamLog(namespace, seen.pod(), BuildJobFactory.IMAGE_CONTAINER, log);
        seen =
            awaitTerminated(
                namespace, name, BuildJobFactory.IMAGE_CONTAINER, request.deadline(), cancellation);
      }
      boolean built = Files.isRegularFile(out.resolve("built"));
      String stage = built ? "push" : "image";
      if (cancellation.isCancelled()) {
        throw new ImageException(stage, null, "cancelled by " + cancellation.requestedBy(), null);
      }
      if (seen.problem() != null) {
        throw new ImageException(
            stage,
            null,
            seen.problem() == Problem.TIMEOUT
                ? "the image stage passed its deadline"
                : seen.reason(),
            null);
      }
      int exit = seen.terminated().getExitCode() == null ? -1 : seen.terminated().getExitCode();
      if (exit != 0) {
        throw new ImageException(
            stage,
            exit,
            "buildah " + (built ? "push" : "bud") + " failed (exit code " + exit + ")",
            null);
      }
      long builtAt = Long.parseLong(Files.readString(out.resolve("built")).strip());
      String digest = Files.readString(out.resolve("digest")).strip();
      long ended = System.currentTimeMillis();
      return new PushedImage(
          request.reference(),
          digest,
          Math.max(0, builtAt - started),
          Math.max(0, ended - builtAt));
    } catch (ImageException e) {
      throw e;
    } catch (Exception e) {
      throw new ImageException("image", null, "the image Job failed: " + e.getMessage(), e);
    } finally {
      cleanUp(namespace, name, request.buildId());
    }
  }

  private enum Problem {
    TIMEOUT,
    GONE,
    FAILED
  }

  private record Observation(
      Pod pod, ContainerStateTerminated terminated, Problem problem, String reason) {}

  private Observation awaitStarted(
      String namespace, String job, String container, Instant deadline, Cancellation cancellation) {
    return await(namespace, job, container, deadline, cancellation, true);
  }

  private Observation awaitTerminated(
      String namespace, String job, String container, Instant deadline, Cancellation cancellation) {
    return await(namespace, job, container, deadline, cancellation, false);
  }

  /** Polls the Job and its pod until the container started (or ended), or something went wrong. */
  private Observation await(
      String namespace,
      String job,
      String container,
      Instant deadline,
      Cancellation cancellation,
      boolean startedIsEnough) {
    Instant failingSince = null;
    while (true) {
      if (cancellation.isCancelled()) {
        return new Observation(null, null, Problem.GONE, "cancelled");
      }
      try {
        Observation seen = look(namespace, job, container, startedIsEnough);
        if (seen != null) {
          return seen;
        }
        failingSince = null;
      } catch (KubernetesClientException e) {
        // An API server restart or a dropped connection is no reason to fail an hour-long build;
        // an outage longer than the tolerance is.
        Instant now = Instant.now();
        failingSince = failingSince == null ? now : failingSince;
        if (Duration.between(failingSince, now).compareTo(config.apiOutageTolerance()) >= 0) {
          return new Observation(
              null,
              null,
              Problem.FAILED,
              "lost the Kubernetes API while following the build Job: " + e.getMessage());
        }
      }
      if (Instant.now().isAfter(deadline)) {
        return new Observation(null, null, Problem.TIMEOUT, "timed out");
      }
      try {
        Thread.sleep(config.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Observation(null, null, Problem.GONE, "interrupted");
      }
    }
  }

  /** One look at the Job and its pod: what ended or went wrong, or null to look again later. */
  private Observation look(
      String namespace, String job, String container, boolean startedIsEnough) {
    Job current = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
    if (current == null) {
      return new Observation(null, null, Problem.GONE, "the build Job was deleted before it ended");
    }
    Optional<Pod> pod = podOf(namespace, job);
    if (pod.isPresent()) {
      Pod p = pod.get();
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      Optional<ContainerStatus> status = statusOf(p, container);
      if (status.isPresent() && status.get().getState() != null) {
        var state = status.get().getState();
        if (state.getTerminated() != null) {
          return new Observation(p, state.getTerminated(), null, null);
        }
        if (startedIsEnough && state.getRunning() != null) {
          return new Observation(p, null, null, null);
        }
      }
      if ("Failed".equals(phase)) {
        String reason = p.getStatus().getReason();
        String message = p.getStatus().getMessage();
        return new Observation(
            p,
            null,
            Problem.FAILED,
            "the build pod failed"
                + (reason == null ? "" : ": " + reason)
                + (message == null ? "" : " (" + message + ")"));
      }
    }
    String jobFailure = failureOf(current);
    if (jobFailure != null) {
      return jobFailure.startsWith("DeadlineExceeded")
          ? new Observation(null, null, Problem.TIMEOUT, jobFailure)
          : new Observation(null, null, Problem.FAILED, "the build Job failed: " + jobFailure);
    }
    return null;
  }

  private static String failureOf(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
        .findFirst()
        .orElse(null);
  }

  private Optional<Pod> podOf(String namespace, String job) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("job-name", job)
        .list()
        .getItems()
        .stream()
        .findFirst();
  }

  private static Optional<ContainerStatus> statusOf(Pod pod, String container) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    return Stream.concat(
            listOf(pod.getStatus().getInitContainerStatuses()).stream(),
            listOf(pod.getStatus().getContainerStatuses()).stream())
        .filter(s -> container.equals(s.getName()))
        .findFirst();
  }

  private static <T> List<T> listOf(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** Follows the container's log until it ends (the API server closes the stream then). */
  private void streamLog(String namespace, Pod pod, String container, BuildLog log) {
    try (LogWatch watch =
            client
                .pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .inContainer(container)
                .watchLog();
        InputStream in = watch.getOutput();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        BuildLog.Stream out = log.stream()) {
      char[] buffer = new char[8192];
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        out.write(CharBuffer.wrap(buffer, 0, n));
      }
    } catch (IOException | KubernetesClientException e) {
      log.info("==> log of " + container + " interrupted: " + e.getMessage());
    }
  }

  private void deleteJob(String namespace, String name) {
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(name)
          .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
          .delete();
    } catch (KubernetesClientException e) {
      // already gone
    }
  }

  private void cleanUp(String namespace, String name, String buildId) {
    deleteJob(namespace, name);
    try {
      client.pods().inNamespace(namespace).withLabel(BuildJobFactory.BUILD_LABEL, buildId).delete();
      client.secrets().inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      // best effort: the Job's TTL and the namespace's quota catch what is left
    }
  }
}
