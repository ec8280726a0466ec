package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.container.BuildNetwork;
import dev.slipway.build.container.ContainerException;
import dev.slipway.build.container.ContainerRun;
import dev.slipway.build.container.ContainerSpec;
import dev.slipway.build.container.Podman;
import dev.slipway.build.executor.StepListener.StepStatus;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.stage.Durations;
import dev.slipway.build.workspace.BuildWorkspace;
import dev.slipway.build.workspace.RepositoryPaths;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The local executor: every step in a container of its toolchain image (podman), one container per
 * step, all of a build's steps in one network namespace of its own (see {@link BuildNetwork}). A
 * step sees its checkout at {@code /workspace}, its home, a {@code /tmp} and the toolchain's
 * read-only root filesystem, nothing else of the host: no {@code .slipway/}, no keys, no other
 * build, no host process ({@code /proc} is its own). It runs as a non-root user with no capability
 * and no way to gain one; its variables (secrets included) come from a file only its container
 * mounts, never from a command line. A step that ends, times out or is cancelled takes every
 * process it started with it: they all die with its container's PID namespace.
 *
 * <p>A Dockerfile is built the same way, by Buildah in a container of the builder image that sees
 * the checkout read-only, its own storage and the registry's auth file, and reaches the network
 * like a step but also the image registry.
 */
public final class ContainerExecutor implements StepExecutor {

  private static final Logger LOG = Logger.getLogger(ContainerExecutor.class);
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(5);
  private static final Duration IMAGE_CACHE = Duration.ofSeconds(30);
  private static final String ENV_FILE = "/run/slipway/env";
  private static final String STEP_SCRIPT = ". " + ENV_FILE + " && exec /bin/sh -c \"$1\"";
  private static final List<String> BUILDER_CAPABILITIES =
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

  /** What the builder container runs: environment variables only, never interpolated text. */
  static final String BUILDER_SCRIPT =
      String.join(
          "\n",
          "set -e",
          "mkdir -p \"$TMPDIR\"",
          "buildah bud --isolation chroot --tls-verify=\"$TLS_VERIFY\" -f \"$DOCKERFILE\""
              + " -t \"$IMAGE\" \"$CONTEXT\"",
          "date +%s%3N > /out/built",
          "buildah push --tls-verify=\"$TLS_VERIFY\" --digestfile /out/digest \"$IMAGE\""
              + " \"docker://$PUSH_TO\"");

  private final BuildConfig config;
  private final Podman podman;
  private final ExecutorService stopper =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "container-stop-remove");
            t.setDaemon(true);
            return t;
          });
  private final ExecutorService networkOpener =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "build-network-open");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, CachedImage> images = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<BuildNetwork>> stepNetworks =
      new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<BuildNetwork>> imageNetworks =
      new ConcurrentHashMap<>();
  private final Map<String, List<String>> exitedContainers = new ConcurrentHashMap<>();

  public ContainerExecutor(BuildConfig config, Podman podman) {
    this.config = config;
    this.podman = podman;
    // A container created longer ago than the longest build may take belongs to a build that has
    // surely ended: stopped, it is what an instance killed before its build's release left.
    Duration leftover = config.maxBuildTimeout().plus(config.lease()).plusMinutes(10);
    background(() -> podman.removeLeftovers(leftover));
  }

  private record CachedImage(Podman.Image image, Instant until) {}

  /**
   * Opens the steps' network namespace and the image stage's (the same filters, the same
   * slirp4netns) while the build clones and reads its configuration; nothing runs in either before
   * its stage. The build's exited containers are removed together when it is over.
   */
  @Override
  public void prepare(String buildId) {
    exitedContainers.computeIfAbsent(
        buildId, id -> java.util.Collections.synchronizedList(new ArrayList<>()));
    stepNetworks.computeIfAbsent(
        buildId, id -> CompletableFuture.supplyAsync(() -> openStepNetwork(id), networkOpener));
    imageNetworks.computeIfAbsent(
        buildId, id -> CompletableFuture.supplyAsync(() -> openImageNetwork(id), networkOpener));
  }

  @Override
  public void release(String buildId) {
    List<String> exited = exitedContainers.remove(buildId);
    if (exited != null && !exited.isEmpty()) {
      List<String> names = List.copyOf(exited);
      background(() -> podman.remove(names));
    }
    for (Map<String, CompletableFuture<BuildNetwork>> prepared :
        List.of(stepNetworks, imageNetworks)) {
      CompletableFuture<BuildNetwork> unused = prepared.remove(buildId);
      if (unused != null) {
        unused.thenAccept(BuildNetwork::closeInBackground);
      }
    }
  }

  /**
   * The service stops: the networks prepared for builds that have not reached their steps, and
   * those still being torn down, are removed (their slirp4netns stopped) before it exits, rather
   * than left behind on the node.
   */
  public void close() {
    for (String buildId : List.copyOf(stepNetworks.keySet())) {
      release(buildId);
    }
    for (String buildId : List.copyOf(imageNetworks.keySet())) {
      release(buildId);
    }
    for (String buildId : List.copyOf(exitedContainers.keySet())) {
      release(buildId);
    }
    networkOpener.shutdown();
    // Exited containers still being removed are, before the service exits.
    stopper.shutdown();
    try {
      stopper.awaitTermination(10, TimeUnit.SECONDS);
      if (networkOpener.awaitTermination(10, TimeUnit.SECONDS)) {
        BuildNetwork.awaitBackgroundCloses(Duration.ofSeconds(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The network of a build's steps or image stage: the one {@link #prepare} opened, or a new one.
   */
  private BuildNetwork network(
      Map<String, CompletableFuture<BuildNetwork>> prepared,
      String buildId,
      java.util.function.Function<String, BuildNetwork> open) {
    CompletableFuture<BuildNetwork> opening = prepared.remove(buildId);
    if (opening == null) {
      return open.apply(buildId);
    }
    try {
      return opening.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Why steps cannot run here, if they cannot. */
  public Optional<String> unavailable() {
    return podman.unavailable();
  }

  @Override
  public StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation) {
    String toolchain =
        request.toolchain() == null ? config.toolchain().defaultImage() : request.toolchain();
    Podman.Image image;
    long resolving = System.nanoTime();
    try {
      image = resolve(toolchain, request.workspace(), log);
    } catch (ContainerException e) {
      return StepsResult.failed(request.steps().get(0).name(), null, e.getMessage());
    }
    listener.took("steps.toolchain", (System.nanoTime() - resolving) / 1_000_000);
    String pinned = image.digest() != null ? toolchain + "@" + image.digest() : image.id();
    log.info(
        "==> toolchain "
            + toolchain
            + " ("
            + shortId(image)
            + "), steps as user "
            + config.local().user());
    long chowning = System.nanoTime();
    try {
      prepareForSteps(request.workspace());
    } catch (IOException | UncheckedIOException e) {
      return StepsResult.failed(
          request.steps().get(0).name(), null, "cannot prepare the workspace: " + e.getMessage());
    }
    long opening = System.nanoTime();
    listener.took("steps.chown", (opening - chowning) / 1_000_000);
    BuildNetwork network;
    try {
      network = network(stepNetworks, request.buildId(), this::openStepNetwork);
    } catch (ContainerException e) {
      return StepsResult.failed(request.steps().get(0).name(), null, e.getMessage()).in(pinned);
    }
    listener.took("steps.network", (System.nanoTime() - opening) / 1_000_000);
    try {
      for (int i = 0; i < request.steps().size(); i++) {
        BuildSpec.Step step = request.steps().get(i);
        if (cancellation.isCancelled()) {
          return StepsResult.cancelled(step.name(), cancelReason(cancellation)).in(pinned);
        }
        StepsResult result = runStep(i, step, request, image, network, log, listener, cancellation);
        if (result.outcome() != StepsResult.Outcome.SUCCEEDED) {
          return result.in(pinned);
        }
      }
      return StepsResult.succeeded(pinned);
    } catch (ContainerException e) {
      return StepsResult.failed(request.steps().get(0).name(), null, e.getMessage()).in(pinned);
    } finally {
      // Every step's container has exited (runStep waits for it): nothing is left in the namespace.
      network.closeInBackground();
    }
  }

  private StepsResult runStep(
      int position,
      BuildSpec.Step step,
      StepsRequest request,
      Podman.Image image,
      BuildNetwork network,
      BuildLog log,
      StepListener listener,
      Cancellation cancellation) {
    BuildWorkspace workspace = request.workspace();
    Path workdir;
    try {
      RepositoryPaths paths = new RepositoryPaths(workspace.source());
      if (!request.directory().isEmpty()) {
        paths = paths.within(request.directory(), new RepositoryPaths.Field("source.directory", 0));
      }
      workdir = paths.resolve(step.workdir(), request.field("steps[" + position + "].workdir"));
    } catch (RepositoryPaths.UnsafePathException e) {
      return refuse(position, step, listener, log, e.getMessage());
    }
    if (!Files.isDirectory(workdir)) {
      return refuse(
          position, step, listener, log, "working directory " + step.workdir() + " does not exist");
    }
    Instant start = Instant.now();
    Instant deadline = request.deadline();
    boolean stepDeadline = false;
    if (step.timeout() != null && start.plus(step.timeout()).isBefore(deadline)) {
      deadline = start.plus(step.timeout());
      stepDeadline = true;
    }
    Map<String, String> env = new LinkedHashMap<>(request.env());
    env.putAll(step.env());
    env.putAll(request.secretEnv());
    Path envFile;
    try {
      envFile = writeEnvFile(workspace, position, env);
    } catch (IOException e) {
      return refuse(
          position, step, listener, log, "cannot write the step's environment: " + e.getMessage());
    }
    String name = containerName(request.buildId(), position);
    String relative = new RepositoryPaths(workspace.source()).root().relativize(workdir).toString();
    ContainerSpec spec =
        new ContainerSpec(
            name,
            image.id(),
            List.of("/bin/sh", "-c", STEP_SCRIPT, "slipway-step", step.run()),
            config.local().user(),
            relative.isEmpty()
                ? StepEnvironment.WORKSPACE
                : StepEnvironment.WORKSPACE + "/" + relative,
            List.of(
                new ContainerSpec.Mount(workspace.source(), StepEnvironment.WORKSPACE, false),
                new ContainerSpec.Mount(workspace.home(), StepEnvironment.HOME, false),
                new ContainerSpec.Mount(workspace.tmp(), StepEnvironment.TMP, false),
                new ContainerSpec.Mount(envFile, ENV_FILE, true)),
            Map.of(),
            List.of(),
            network.path(),
            true,
            new ContainerSpec.Limits(
                config.local().memory(),
                config.local().pids(),
                config.local().cpus().orElse(null)));
    log.info("==> step " + step.name() + ": " + step.run());
    listener.started(position, step.name());
    ContainerRun run;
    try {
      run = podman.start(spec, workspace.privateDir(), output(log));
    } catch (IOException | UncheckedIOException e) {
      listener.finished(position, step.name(), StepStatus.FAILED, null, 0);
      return StepsResult.failed(
          step.name(), null, "could not start its container: " + e.getMessage());
    }
    try (AutoCloseable onCancel = cancellation.onCancel(() -> stopAsync(name))) {
      OptionalInt code = run.awaitExit(deadline);
      boolean exited = code.isPresent();
      if (!exited) {
        podman.stop(name, config.local().killGrace());
        code = awaitStopped(run);
      }
      run.awaitOutput(OUTPUT_DRAIN);
      long ms = Duration.between(start, Instant.now()).toMillis();
      if (cancellation.isCancelled()) {
        log.info("==> step " + step.name() + " stopped: " + cancelReason(cancellation));
        listener.finished(position, step.name(), StepStatus.CANCELLED, null, ms);
        return StepsResult.cancelled(step.name(), cancelReason(cancellation));
      }
      if (!exited) {
        String reason =
            stepDeadline
                ? "step timed out after " + Durations.human(step.timeout())
                : "build timed out; step stopped after " + Durations.human(ms);
        log.info("==> step " + step.name() + ": " + reason);
        listener.finished(position, step.name(), StepStatus.TIMED_OUT, null, ms);
        return StepsResult.timedOut(step.name(), reason);
      }
      int exit = code.getAsInt();
      log.info(
          "==> step "
              + step.name()
              + " exited with code "
              + exit
              + " after "
              + Durations.human(ms));
      if (exit != 0) {
        listener.finished(position, step.name(), StepStatus.FAILED, exit, ms);
        return StepsResult.failed(step.name(), exit, exitReason(exit));
      }
      listener.finished(position, step.name(), StepStatus.SUCCEEDED, 0, ms);
      return StepsResult.succeeded(null);
    } catch (Exception e) {
      podman.stop(name, Duration.ZERO);
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      run.discard();
      removeLater(request.buildId(), name);
      try {
        Files.deleteIfExists(envFile);
      } catch (IOException e) {
        LOG.debugf("cannot delete %s: %s", envFile, e.getMessage());
      }
    }
  }

  @Override
  public PushedImage buildImage(
      ImageBuildRequest request, BuildLog log, Cancellation cancellation) {
    BuildWorkspace workspace = request.workspace();
    Podman.Image builder;
    try {
      builder = resolve(config.imageBuilder().image(), workspace, log);
    } catch (ContainerException e) {
      throw new ImageException("image", null, e.getMessage(), e);
    }
    BuildConfig.Registry registry = config.registry();
    boolean loopback = BuildNetwork.isLoopback(registry.address());
    List<ContainerSpec.Mount> mounts = new ArrayList<>();
    mounts.add(new ContainerSpec.Mount(workspace.source(), StepEnvironment.WORKSPACE, true));
    mounts.add(new ContainerSpec.Mount(workspace.out(), "/out", false));
    mounts.add(new ContainerSpec.Mount(workspace.imageStorage(), "/var/lib/containers", false));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", StepEnvironment.PATH);
    env.put("HOME", "/var/lib/containers/home");
    env.put("TMPDIR", "/var/lib/containers/tmp");
    env.put("STORAGE_DRIVER", "vfs");
    env.put("BUILDAH_ISOLATION", "chroot");
    env.put("IMAGE", request.reference());
    // A registry on this host's loopback is reached at the address slirp4netns maps to it; the
    // image keeps its name (the pushed manifest, hence its digest, is the same).
    String pushTo =
        loopback
            ? pushAddress(registry) + request.reference().substring(registry.address().length())
            : request.reference();
    env.put("PUSH_TO", pushTo);
    env.put("DOCKERFILE", inWorkspace(request.dockerfile()));
    env.put("CONTEXT", inWorkspace(request.context()));
    env.put("TLS_VERIFY", Boolean.toString(!registry.insecure()));
    try {
      authFile(workspace, loopback ? pushAddress(registry) : registry.address())
          .ifPresent(
              file -> {
                mounts.add(new ContainerSpec.Mount(file, "/run/slipway/auth.json", true));
                env.put("REGISTRY_AUTH_FILE", "/run/slipway/auth.json");
              });
      if (loopback) {
        // The registry listens on this host's loopback; from the build's namespace it is the
        // address slirp4netns maps to it, under the name the image carries.
        Path conf = workspace.privateDir().resolve("registries.conf");
        Files.writeString(conf, registriesConf(registry));
        mounts.add(
            new ContainerSpec.Mount(
                conf, "/etc/containers/registries.conf.d/99-slipway.conf", true));
      }
      Files.deleteIfExists(workspace.out().resolve("digest"));
      Files.deleteIfExists(workspace.out().resolve("built"));
    } catch (IOException e) {
      throw new ImageException(
          "image", null, "cannot prepare the image build: " + e.getMessage(), e);
    }
    String name = containerName(request.buildId(), 99);
    long started = System.currentTimeMillis();
    BuildNetwork network = null;
    try {
      network = network(imageNetworks, request.buildId(), this::openImageNetwork);
      ContainerSpec spec =
          new ContainerSpec(
              name,
              builder.id(),
              List.of("/bin/sh", "-c", BUILDER_SCRIPT),
              "0:0",
              StepEnvironment.WORKSPACE,
              mounts,
              env,
              BUILDER_CAPABILITIES,
              network.path(),
              true,
              new ContainerSpec.Limits(
                  config.local().memory(),
                  config.local().pids(),
                  config.local().cpus().orElse(null)));
      ContainerRun run = podman.start(spec, workspace.privateDir(), output(log));
      try (AutoCloseable onCancel = cancellation.onCancel(() -> stopAsync(name))) {
        OptionalInt code = run.awaitExit(request.deadline());
        boolean exited = code.isPresent();
        if (!exited) {
          podman.stop(name, config.local().killGrace());
          awaitStopped(run);
        }
        run.awaitOutput(OUTPUT_DRAIN);
        long ended = System.currentTimeMillis();
        Path builtMark = workspace.out().resolve("built");
        boolean built = Files.isRegularFile(builtMark);
        String stage = built ? "push" : "image";
        if (cancellation.isCancelled()) {
          throw new ImageException(stage, null, cancelReason(cancellation), null);
        }
        if (!exited) {
          throw new ImageException(stage, null, "the image stage passed its deadline", null);
        }
        int exit = code.getAsInt();
        if (exit != 0) {
          throw new ImageException(
              stage,
              exit,
              "buildah " + (built ? "push" : "bud") + " failed (exit code " + exit + ")",
              null);
        }
        long builtAt = Long.parseLong(Files.readString(builtMark).strip());
        String digest = Files.readString(workspace.out().resolve("digest")).strip();
        if (!digest.startsWith("sha256:")) {
          throw new ImageException(
              "push", null, "buildah wrote no digest of the pushed image", null);
        }
        return new PushedImage(
            request.reference(),
            digest,
            Math.max(0, builtAt - started),
            Math.max(0, ended - builtAt));
      } finally {
        run.discard();
        removeLater(request.buildId(), name);
      }
    } catch (ImageException e) {
      throw e;
    } catch (ContainerException e) {
      throw new ImageException("image", null, e.getMessage(), e);
    } catch (Exception e) {
      podman.stop(name, Duration.ZERO);
      throw new ImageException("image", null, "the image build failed: " + e.getMessage(), e);
    } finally {
      // The builder's container has exited (its exit code is in hand): nothing runs in it.
      if (network != null) {
        network.closeInBackground();
      }
    }
  }

  /** The image in local storage, pulled first when it is not there. */
  private Podman.Image resolve(String reference, BuildWorkspace workspace, BuildLog log) {
    CachedImage cached = images.get(reference);
    if (cached != null && cached.until().isAfter(Instant.now())) {
      return cached.image();
    }
    Podman.Image image =
        podman
            .inspect(reference)
            .orElseGet(
                () -> {
                  log.info("==> pulling " + reference);
                  boolean ours = reference.startsWith(config.registry().address() + "/");
                  try {
                    return podman.pull(
                        reference,
                        !(ours && config.registry().insecure()),
                        ours ? authFile(workspace) : Optional.empty());
                  } catch (IOException e) {
                    throw new ContainerException(
                        "cannot pull " + reference + ": " + e.getMessage());
                  }
                });
    images.put(reference, new CachedImage(image, Instant.now().plus(IMAGE_CACHE)));
    return image;
  }

  /**
   * The registry's push credentials as a containers auth file, readable by root only, in the
   * build's private folder; empty when the registry needs none.
   */
  private Optional<Path> authFile(BuildWorkspace workspace) throws IOException {
    return authFile(workspace, config.registry().address());
  }

  private Optional<Path> authFile(BuildWorkspace workspace, String address) throws IOException {
    BuildConfig.Registry registry = config.registry();
    if (registry.username().isEmpty() || registry.password().isEmpty()) {
      return Optional.empty();
    }
    Path file =
        workspace
            .privateDir()
            .resolve("auth-" + address.replaceAll("[^A-Za-z0-9.-]", "_") + ".json");
    if (!Files.exists(file)) {
      String auth =
          Base64.getEncoder()
              .encodeToString(
                  (registry.username().get() + ":" + registry.password().get())
                      .getBytes(StandardCharsets.UTF_8));
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, "{\"auths\":{\"" + address + "\":{\"auth\":\"" + auth + "\"}}}\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    }
    return Optional.of(file);
  }

  /** The loopback registry as the build's namespace reaches it. */
  private static String pushAddress(BuildConfig.Registry registry) {
    String port = registry.address().substring(registry.address().lastIndexOf(':') + 1);
    return BuildNetwork.HOST_LOOPBACK + ":" + port;
  }

  private static String registriesConf(BuildConfig.Registry registry) {
    return "[[registry]]\nprefix = \""
        + registry.address()
        + "\"\nlocation = \""
        + pushAddress(registry)
        + "\"\ninsecure = "
        + registry.insecure()
        + "\n";
  }

  private BuildNetwork openStepNetwork(String buildId) {
    return openNetwork(buildId, "s", List.of(), false);
  }

  /** A network like the steps', through which the image registry's address and port also pass. */
  private BuildNetwork openImageNetwork(String buildId) {
    String registry = config.registry().address();
    return openNetwork(
        buildId, "i", BuildNetwork.registry(registry), BuildNetwork.isLoopback(registry));
  }

  private BuildNetwork openNetwork(
      String buildId, String kind, List<BuildNetwork.Allowed> allowed, boolean hostLoopback) {
    String name =
        "slipway-"
            + compact(buildId)
            + "-"
            + kind
            + "-"
            + UUID.randomUUID().toString().substring(0, 4);
    return BuildNetwork.open(
        name, config.local().deniedNetworks().orElse(List.of()), allowed, hostLoopback);
  }

  /**
   * The checkout, home and /tmp belong to the step user, who is not root; the service (root) still
   * reads what the steps write.
   */
  private void prepareForSteps(BuildWorkspace workspace) throws IOException {
    List<String> argv =
        List.of(
            "chown",
            "-R",
            "--no-dereference",
            config.local().user(),
            workspace.source().toString(),
            workspace.home().toString(),
            workspace.tmp().toString());
    try {
      Process chown = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(chown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!chown.waitFor(60, TimeUnit.SECONDS) || chown.exitValue() != 0) {
        throw new IOException("chown failed: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /**
   * The step's variables as {@code export NAME='value'} lines, each value single-quoted so the
   * shell that reads the file never evaluates it; readable by the step user only.
   */
  private Path writeEnvFile(BuildWorkspace workspace, int position, Map<String, String> env)
      throws IOException {
    StringBuilder text = new StringBuilder();
    env.forEach(
        (name, value) ->
            text.append("export ")
                .append(name)
                .append('=')
                .append(singleQuoted(value))
                .append('\n'));
    Path file = workspace.privateDir().resolve("env-" + position);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text);
    String[] ids = config.local().user().split(":");
    Files.setAttribute(file, "unix:uid", Integer.parseInt(ids[0]));
    Files.setAttribute(file, "unix:gid", Integer.parseInt(ids.length > 1 ? ids[1] : ids[0]));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    return file;
  }

  static String singleQuoted(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static String inWorkspace(String relative) {
    return ".".equals(relative) || relative.isEmpty()
        ? StepEnvironment.WORKSPACE
        : StepEnvironment.WORKSPACE + "/" + relative;
  }

  private StepsResult refuse(
      int position, BuildSpec.Step step, StepListener listener, BuildLog log, String reason) {
    log.info("==> step " + step.name() + ": " + reason);
    listener.started(position, step.name());
    listener.finished(position, step.name(), StepStatus.FAILED, null, 0);
    return StepsResult.failed(step.name(), null, reason);
  }

  private static String exitReason(int exit) {
    return switch (exit) {
      case 125 -> "exit code 125: the step's container could not start (see the log)";
      case 127 -> "exit code 127: command not found (does the toolchain image have /bin/sh?)";
      case 137 -> "exit code 137: killed (SIGKILL), e.g. over its memory limit";
      default -> "exit code " + exit;
    };
  }

  private void stopAsync(String name) {
    background(() -> podman.stop(name, config.local().killGrace()));
  }

  /**
   * The exit code of a container just told to stop: SIGKILL after the grace, and after another 15 s
   * a forced stop; empty only if even that did not end it.
   */
  private OptionalInt awaitStopped(ContainerRun run) {
    OptionalInt code =
        run.awaitExit(Instant.now().plus(config.local().killGrace()).plusSeconds(15));
    if (code.isEmpty()) {
      podman.stop(run.name(), Duration.ZERO);
      code = run.awaitExit(Instant.now().plusSeconds(5));
    }
    return code;
  }

  /**
   * Removes an exited container later, its exit code and output in hand and nothing of it running
   * any more (every process of it ended with its PID namespace): with the build's others in one
   * {@code podman rm} when the build is over (a prepared build), else now on a background thread.
   * Either way the build goes on without waiting the ~150 ms a {@code podman rm} takes, and a
   * build's later stages do not share the machine's two cores with one.
   */
  private void removeLater(String buildId, String name) {
    List<String> exited = exitedContainers.get(buildId);
    if (exited != null) {
      exited.add(name);
    } else {
      background(() -> podman.remove(List.of(name)));
    }
  }

  /** Runs {@code task} on a background thread, or here once the service is stopping. */
  private void background(Runnable task) {
    try {
      stopper.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** Copies a container's output into the build's log as it comes. */
  private static Podman.OutputReader output(BuildLog log) {
    return in -> {
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
          BuildLog.Stream out = log.stream()) {
        char[] buffer = new char[8192];
        int n;
        while ((n = reader.read(buffer)) >= 0) {
          out.write(CharBuffer.wrap(buffer, 0, n));
        }
      }
    };
  }

  private static String containerName(String buildId, int position) {
    return "slipway-"
        + compact(buildId)
        + "-"
        + position
        + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }

  private static String compact(String buildId) {
    String compact = buildId.replaceAll("[^a-z0-9]", "");
    return compact.substring(0, Math.min(12, compact.length()));
  }

  private static String shortId(Podman.Image image) {
    return image.digest() != null
        ? image.digest().substring(0, 19)
        : image.id().substring(0, Math.min(12, image.id().length()));
  }

  private static String cancelReason(Cancellation cancellation) {
    return "cancelled by " + cancellation.requestedBy();
  }
}
