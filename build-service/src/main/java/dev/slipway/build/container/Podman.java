package dev.slipway.build.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Podman, the daemonless container engine, as build-service uses it: start a container with its
 * output on a pipe of the caller's, stop and remove one by name, and look up or pull an image.
 * Every container it starts drops all capabilities but the ones named, gains no privileges ({@code
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

  /** The label of every container this service starts: how {@link #removeLeftovers} finds them. */
  public static final String LABEL = "dev.slipway.build-container";

  /** What reads a container's output (its stdout and stderr, merged) to its end. */
  @FunctionalInterface
  public interface OutputReader {
    void read(InputStream output) throws IOException;
  }

  /**
   * Starts {@code spec} detached ({@code podman run -d}) and returns once it runs. Podman's
   * passthrough log driver hands the container a FIFO in {@code runDir} as its stdout and stderr:
   * its processes write into it directly, with no conmon relay and no attached client, and {@code
   * reader} reads it on a thread of its own until every process holding it has ended. The container
   * is not removed when it exits (its exit code must outlive podman's clean-up): {@link #remove}
   * does that once the code is in hand.
   */
  public ContainerRun start(ContainerSpec spec, Path runDir, OutputReader reader)
      throws IOException {
    Path fifo = runDir.resolve(spec.name() + ".out");
    Path cidFile = runDir.resolve(spec.name() + ".cid");
    Files.deleteIfExists(fifo);
    Files.deleteIfExists(cidFile);
    Result made = command(List.of("mkfifo", "-m", "600", fifo.toString()), Map.of());
    if (made.exit() != 0) {
      throw new IOException("cannot make the output pipe: " + lastLine(made.output()));
    }
    Thread thread =
        new Thread(
            () -> {
              // Opening a FIFO for reading waits for its writer: podman, started just after.
              try (InputStream in = Files.newInputStream(fifo)) {
                reader.read(in);
              } catch (IOException e) {
                LOG.debugf("output of %s: %s", spec.name(), e.getMessage());
              }
            },
            "container-output-" + spec.name());
    thread.setDaemon(true);
    thread.start();
    ProcessBuilder builder =
        new ProcessBuilder(runArguments(spec, cidFile))
            .redirectErrorStream(true)
            .redirectOutput(fifo.toFile());
    // Podman reads its own settings from its environment: it gets a minimal one, never a
    // build's variables.
    builder.environment().clear();
    builder.environment().putAll(hostEnvironment());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      return new ContainerRun(this, spec.name(), builder.start(), cidFile, fifo, thread);
    } catch (IOException e) {
      // Releases the reader should podman not even have opened the FIFO.
      try (OutputStream release = Files.newOutputStream(fifo)) {
        release.flush();
      }
      throw e;
    }
  }

  private List<String> runArguments(ContainerSpec spec, Path cidFile) {
    List<String> argv = new ArrayList<>();
    argv.add(binary);
    argv.add("--runtime");
    argv.add(runtime);
    argv.addAll(
        List.of(
            "run",
            "--detach",
            "--name",
            spec.name(),
            "--label",
            LABEL,
            "--cidfile",
            cidFile.toString(),
            "--pull",
            "never",
            // The container writes into the FIFO podman was given as its stdout (a pipe, never a
            // terminal); podman keeps no log of its own.
            "--log-driver",
            "passthrough",
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
    return argv;
  }

  /**
   * The exit code of container {@code name} from podman's state, once it has exited; empty when
   * {@code deadline} passes first.
   */
  OptionalInt awaitExit(String name, Instant deadline) {
    long left = Duration.between(Instant.now(), deadline).toMillis();
    if (left <= 0) {
      return OptionalInt.empty();
    }
    Result result =
        exec(List.of("wait", "--interval", "50ms", name), Map.of(), Duration.ofMillis(left));
    try {
      return result.exit() == 0
          ? OptionalInt.of(Integer.parseInt(result.output().strip()))
          : OptionalInt.empty();
    } catch (NumberFormatException e) {
      LOG.warnf("podman wait %s answered %s", name, result.output().strip());
      return OptionalInt.empty();
    }
  }

  /** Removes the exited containers {@code names}; quiet about those already gone. */
  public void remove(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of("rm", "--force", "--ignore"));
    argv.addAll(names);
    Result result = exec(argv, Map.of());
    if (result.exit() != 0) {
      LOG.warnf("cannot remove containers %s: %s", names, lastLine(result.output()));
    }
  }

  /**
   * Removes the stopped containers this service started that were created more than {@code age}
   * ago: what an instance killed before it removed them left behind (a container is not started
   * with {@code --rm}, its exit code must outlive podman's clean-up). Containers of other programs
   * on the host carry no {@link #LABEL} and are never touched; running ones are never touched.
   */
  public void removeLeftovers(Duration age) {
    Result result;
    try {
      result =
          exec(
              List.of(
                  "container",
                  "prune",
                  "--force",
                  "--filter",
                  "label=" + LABEL,
                  "--filter",
                  "until=" + Math.max(1, age.toSeconds()) + "s"),
              Map.of());
    } catch (UncheckedIOException e) {
      // No podman here: nothing can have been left either; unavailable() says why to the health.
      return;
    }
    if (result.exit() != 0) {
      LOG.warnf("cannot remove left-over containers: %s", lastLine(result.output()));
    } else if (!result.output().isBlank()) {
      LOG.infof(
          "removed %d stopped containers left by an instance that ended before it could",
          result.output().strip().lines().count());
    }
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
    return exec(args, extraEnv, null);
  }

  private Result exec(List<String> args, Map<String, String> extraEnv, Duration timeout) {
    List<String> argv = new ArrayList<>();
    argv.add(binary);
    argv.addAll(args);
    Result result = command(argv, extraEnv, timeout);
    return result.exit() == -2
        ? new Result(-1, "podman " + args.get(0) + " did not answer in time")
        : result;
  }

  private static Result command(List<String> argv, Map<String, String> extraEnv) {
    return command(argv, extraEnv, null);
  }

  /**
   * Runs {@code argv} to its end; exit -2 when it did not end in time: {@code timeout} after it
   * started or, without one, {@link #COMMAND_TIMEOUT} after it closed its output.
   */
  private static Result command(List<String> argv, Map<String, String> extraEnv, Duration timeout) {
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(hostEnvironment());
      builder.environment().putAll(extraEnv);
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process process = builder.start();
      byte[] out;
      if (timeout == null) {
        out = process.getInputStream().readAllBytes();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return new Result(-2, "");
        }
      } else {
        // Waits first, so that the timeout holds for a command that prints nothing before it ends
        // (podman wait); such a command prints a line, well within a pipe's buffer.
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          return new Result(-2, "");
        }
        out = process.getInputStream().readAllBytes();
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
