package dev.slipway.build.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Podman, the daemonless container engine, as build-service uses it: run a container in the
 * foreground with its output attached, stop one by name, and look up or pull an image. Every
 * container it starts drops all capabilities but the ones named, gains no privileges ({@code
 * no-new-privileges}), keeps podman's default seccomp profile, gets its own PID, mount, IPC and UTS
 * namespaces, joins the network namespace it is given, and sees only the mounts it is given.
 * Nothing of a container's environment is ever taken from this process's.
 */
public final class Podman {

  private static final Logger LOG = Logger.getLogger(Podman.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final String binary;
  private final String runtime;
  private final long openFiles;
  private final long processes;

  /**
   * @param binary the podman binary
   * @param runtime the OCI runtime ({@code crun}, {@code runc}), or {@code auto}
   */
  public Podman(String binary, String runtime) {
    this.binary = binary;
    this.runtime = "auto".equals(runtime) ? chooseRuntime() : runtime;
    // Podman raises the open-files limit to a value this host may not grant (no
    // CAP_SYS_RESOURCE in a container host): ask for what this process has, at most 64 Ki.
    this.openFiles = Math.min(hardLimit("Max open files", 65_536), 65_536);
    this.processes = Math.min(hardLimit("Max processes", 16_384), 16_384);
    LOG.infof(
        "containers: podman with %s (open files %d, processes %d)",
        this.runtime, openFiles, processes);
  }

  /** The OCI runtime in use. */
  public String runtime() {
    return runtime;
  }

  /**
   * crun unless this host mixes cgroup v1 with controllers on the v2 hierarchy (a "hybrid" host,
   * which crun 1.8 refuses) and runc is there.
   */
  private static String chooseRuntime() {
    Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
    try {
      boolean hybrid =
          Files.isReadable(unified)
              && !Files.readString(unified).isBlank()
              && !Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
      boolean hasRunc =
          Files.isExecutable(Path.of("/usr/sbin/runc"))
              || Files.isExecutable(Path.of("/usr/bin/runc"));
      return hybrid && hasRunc ? "runc" : "crun";
    } catch (IOException e) {
      return "crun";
    }
  }

  private static long hardLimit(String name, long fallback) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return "unlimited".equals(parts[1]) ? fallback : Long.parseLong(parts[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debugf("cannot read limits: %s", e.getMessage());
    }
    return fallback;
  }

  /** An image in local storage: its id and, when it came from a registry, its digest. */
  public record Image(String id, String digest) {}

  /** The image {@code reference} in local storage, if it is there. */
  public Optional<Image> inspect(String reference) {
    Result result =
        exec(List.of("image", "inspect", "--format", "{{.Id}} {{.Digest}}", reference), Map.of());
    if (result.exit() != 0) {
      return Optional.empty();
    }
    String[] parts = result.output().strip().split("\\s+");
    String digest = parts.length > 1 && parts[1].startsWith("sha256:") ? parts[1] : null;
    return Optional.of(new Image(parts[0], digest));
  }

  /**
   * Pulls {@code reference}; {@code authFile}, when present, holds the registry credentials (never
   * on the command line).
   */
  public Image pull(String reference, boolean tlsVerify, Optional<Path> authFile) {
    List<String> argv = new ArrayList<>(List.of("pull", "-q", "--tls-verify=" + tlsVerify));
    authFile.ifPresent(f -> argv.addAll(List.of("--authfile", f.toString())));
    argv.add(reference);
    Result result = exec(argv, Map.of());
    if (result.exit() != 0) {
      throw new ContainerException("cannot pull " + reference + ": " + lastLine(result.output()));
    }
    return inspect(reference)
        .orElseThrow(() -> new ContainerException(reference + " pulled but not found"));
  }

  /**
   * Starts {@code spec} in the foreground, removed when it exits; stdout and stderr of the
   * container come out of the returned process (merged), its exit code is the container's.
   */
  public Process run(ContainerSpec spec) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(binary);
    argv.add("--runtime");
    argv.add(runtime);
    argv.addAll(
        List.of(
            "run",
            "--rm",
            "--name",
            spec.name(),
            "--pull",
            "never",
            // The output is read from the attached stdout; podman keeps no log of its own.
            "--log-driver",
            "none",
            "--user",
            spec.user(),
            "--workdir",
            spec.workdir(),
            "--cap-drop",
            "all",
            "--security-opt",
            "no-new-privileges",
            "--ulimit",
            "nofile=" + openFiles + ":" + openFiles,
            "--ulimit",
            "nproc=" + processes + ":" + processes,
            "--pids-limit",
            Integer.toString(spec.limits().pids()),
            "--hostname",
            "build"));
    if (!spec.capabilities().isEmpty()) {
      argv.add("--cap-add");
      argv.add(String.join(",", spec.capabilities()));
    }
    if (spec.limits().memory() != null && !spec.limits().memory().isBlank()) {
      argv.addAll(
          List.of("--memory", spec.limits().memory(), "--memory-swap", spec.limits().memory()));
    }
    if (spec.limits().cpus() != null && !spec.limits().cpus().isBlank()) {
      argv.addAll(List.of("--cpus", spec.limits().cpus()));
    }
    if (spec.readOnlyRoot()) {
      argv.add("--read-only");
    }
    if (spec.network() == null) {
      argv.addAll(List.of("--network", "none"));
    } else {
      argv.addAll(List.of("--network", "ns:" + spec.network(), "--dns", BuildNetwork.DNS));
    }
    for (ContainerSpec.Mount mount : spec.mounts()) {
      argv.add("--volume");
      argv.add(
          mount.source()
              + ":"
              + mount.target()
              + ":"
              + (mount.readOnly() ? "ro" : "rw")
              + ",nosuid,nodev");
    }
    spec.env()
        .forEach(
            (name, value) -> {
              argv.add("--env");
              argv.add(name + "=" + value);
            });
    argv.add(spec.image());
    argv.addAll(spec.command());
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    // Podman reads its own settings from its environment: it gets a minimal one, never a
    // build's variables.
    builder.environment().clear();
    builder.environment().putAll(hostEnvironment());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  /**
   * Stops container {@code name}: SIGTERM to its processes, SIGKILL after {@code grace}; every
   * process in it ends, since they share its PID namespace. Quiet when it is already gone.
   */
  public void stop(String name, Duration grace) {
    long seconds = Math.max(0, (grace.toMillis() + 999) / 1000);
    exec(List.of("stop", "--ignore", "--time", Long.toString(seconds), name), Map.of());
  }

  /** Whether a container named {@code name} still exists. */
  public boolean exists(String name) {
    return exec(List.of("container", "exists", name), Map.of()).exit() == 0;
  }

  /** Runs a podman command to its end; its output merged. */
  Result exec(List<String> args, Map<String, String> extraEnv) {
    List<String> argv = new ArrayList<>();
    argv.add(binary);
    argv.addAll(args);
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(hostEnvironment());
      builder.environment().putAll(extraEnv);
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "podman " + args.get(0) + " did not answer in time");
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  private static Map<String, String> hostEnvironment() {
    return Map.of(
        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG", "C.UTF-8");
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].replaceAll("(?i)^error: ", "");
  }

  /** What a podman command printed and how it exited. */
  record Result(int exit, String output) {}

  /** Whether podman answers, with the reason when it does not. */
  public Optional<String> unavailable() {
    try {
      Result result = exec(List.of("version", "--format", "{{.Client.Version}}"), Map.of());
      return result.exit() == 0
          ? Optional.empty()
          : Optional.of("podman does not answer: " + lastLine(result.output()));
    } catch (UncheckedIOException e) {
      return Optional.of(
          "podman is not installed ("
              + e.getCause().getMessage().toLowerCase(Locale.ROOT)
              + "): ./slipway installs it");
    }
  }
}
