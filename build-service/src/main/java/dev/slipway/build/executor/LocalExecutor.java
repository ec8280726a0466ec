package dev.slipway.build.executor;

import dev.slipway.build.executor.StepListener.StepStatus;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.spec.BuildSpec;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs each step as {@code /bin/sh -c <run>} on this host, in the workspace, with an environment
 * that holds only what the build defines (nothing of the service's own). The command is the
 * repository's {@code run} text as written: nothing from the webhook (branch, message, author) is
 * ever put into it; such values reach a step only as environment variables, which a shell does not
 * evaluate.
 *
 * <p>Each step starts in a session of its own ({@code setsid}) and, where the kernel allows it (as
 * root), in a PID namespace of its own ({@code unshare --pid --fork --kill-child}): the step's
 * shell is that namespace's init, so every process the step starts, even one that double-forks or
 * calls setsid, stays inside, and when the shell ends the kernel kills and reaps all of them. No
 * orphan is left to the host's init, not even as a zombie, and a step's {@code kill -9 -1} reaches
 * only its own processes. On timeout or cancel the step's processes get TERM, a grace period, then
 * KILL. Without the namespace (no privilege for it), the process group and every descendant seen
 * are killed instead; a process that escaped both is then out of reach, and killed orphans are
 * reaped by the host's init.
 */
public final class LocalExecutor implements StepExecutor {

  /** How a step's processes are held together, so that all of them can be stopped. */
  public enum Isolation {
    /** A PID namespace per step: nothing escapes, everything is reaped when the step ends. */
    PID_NAMESPACE,
    /** A session and process group per step, plus the descendants seen while it ran. */
    PROCESS_GROUP
  }

  private static final Logger LOG = Logger.getLogger(LocalExecutor.class);
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path UNSHARE = Path.of("/usr/bin/unshare");
  private static final List<String> PID_NAMESPACE =
      List.of(UNSHARE.toString(), "--pid", "--fork", "--kill-child");
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);
  private static final Duration REAP_WAIT = Duration.ofSeconds(5);

  private final String path;
  private final Duration killGrace;
  private final Isolation isolation;

  public LocalExecutor(String path, Duration killGrace) {
    this.path = path;
    this.killGrace = killGrace;
    this.isolation = probeIsolation();
    LOG.infof("local executor: each step in its own %s", isolation);
  }

  /** How this executor holds a step's processes together on this host. */
  public Isolation isolation() {
    return isolation;
  }

  private static Isolation probeIsolation() {
    if (!Files.isExecutable(UNSHARE)) {
      return Isolation.PROCESS_GROUP;
    }
    List<String> argv = new ArrayList<>(PID_NAMESPACE);
    argv.add("/bin/true");
    try {
      Process probe =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0) {
        return Isolation.PID_NAMESPACE;
      }
      probe.destroyForcibly();
    } catch (IOException e) {
      LOG.debugf("unshare is not usable: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Isolation.PROCESS_GROUP;
  }

  @Override
  public StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation) {
    Map<String, String> env = new HashMap<>(request.env());
    env.put("PATH", path);
    env.putAll(request.secretEnv());
    for (int i = 0; i < request.steps().size(); i++) {
      BuildSpec.Step step = request.steps().get(i);
      if (cancellation.isCancelled()) {
        return StepsResult.cancelled(step.name(), cancelReason(cancellation));
      }
      StepsResult result = runStep(i, step, request, env, log, listener, cancellation);
      if (result.outcome() != StepsResult.Outcome.SUCCEEDED) {
        return result;
      }
    }
    return StepsResult.SUCCEEDED;
  }

  private StepsResult runStep(
      int position,
      BuildSpec.Step step,
      StepsRequest request,
      Map<String, String> env,
      BuildLog log,
      StepListener listener,
      Cancellation cancellation) {
    Path workdir = request.workspace().resolve(step.workdir()).normalize();
    if (!workdir.startsWith(request.workspace()) || !Files.isDirectory(workdir)) {
      log.info("==> step " + step.name() + ": working directory " + step.workdir() + " missing");
      listener.started(position, step.name());
      listener.finished(position, step.name(), StepStatus.FAILED, null, 0);
      return StepsResult.failed(
          step.name(), null, "working directory " + step.workdir() + " does not exist");
    }
    Instant start = Instant.now();
    Instant deadline = request.deadline();
    boolean stepDeadline = false;
    if (step.timeout() != null && start.plus(step.timeout()).isBefore(deadline)) {
      deadline = start.plus(step.timeout());
      stepDeadline = true;
    }
    Map<String, String> stepEnv = new HashMap<>(env);
    stepEnv.putAll(step.env());
    stepEnv.putAll(request.secretEnv());
    log.info("==> step " + step.name() + ": " + step.run());
    listener.started(position, step.name());

    Process process;
    try {
      process = start(step.run(), workdir, stepEnv);
    } catch (IOException e) {
      log.info("==> step " + step.name() + " could not start: " + e.getMessage());
      listener.finished(position, step.name(), StepStatus.FAILED, null, 0);
      return StepsResult.failed(step.name(), null, "could not start: " + e.getMessage());
    }
    List<ProcessHandle> seen = new ArrayList<>();
    Thread pump = pump(process, log, step.name());
    try (AutoCloseable onCancel = cancellation.onCancel(() -> killTree(process, seen))) {
      boolean exited = waitFor(process, deadline, seen);
      if (!exited) {
        killTree(process, seen);
      }
      // The step's own process is done; background children it left behind go with it.
      killTree(process, seen);
      drain(pump);
      long ms = Duration.between(start, Instant.now()).toMillis();
      if (cancellation.isCancelled()) {
        log.info("==> step " + step.name() + " cancelled by " + cancellation.requestedBy());
        listener.finished(position, step.name(), StepStatus.CANCELLED, null, ms);
        return StepsResult.cancelled(step.name(), cancelReason(cancellation));
      }
      if (!exited) {
        Duration limit =
            stepDeadline ? step.timeout() : Duration.between(start, request.deadline());
        String reason =
            (stepDeadline ? "step timed out after " : "build timed out; step stopped after ")
                + human(stepDeadline ? limit : Duration.ofMillis(ms));
        log.info("==> step " + step.name() + ": " + reason);
        listener.finished(position, step.name(), StepStatus.TIMED_OUT, null, ms);
        return StepsResult.timedOut(step.name(), reason);
      }
      int exit = process.exitValue();
      log.info(
          "==> step " + step.name() + " exited with code " + exit + " after " + human(ms) + "");
      if (exit != 0) {
        listener.finished(position, step.name(), StepStatus.FAILED, exit, ms);
        return StepsResult.failed(step.name(), exit, "exit code " + exit);
      }
      listener.finished(position, step.name(), StepStatus.SUCCEEDED, 0, ms);
      return StepsResult.SUCCEEDED;
    } catch (Exception e) {
      killTree(process, seen);
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private Process start(String command, Path workdir, Map<String, String> env) throws IOException {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      argv.add(SETSID.toString());
    }
    if (isolation == Isolation.PID_NAMESPACE) {
      argv.addAll(PID_NAMESPACE);
    }
    argv.add("/bin/sh");
    argv.add("-c");
    argv.add(command);
    ProcessBuilder builder =
        new ProcessBuilder(argv).directory(workdir.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  private static Thread pump(Process process, BuildLog log, String step) {
    Thread thread =
        new Thread(
            () -> {
              try (Reader reader =
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8);
                  BuildLog.Stream out = log.stream()) {
                char[] buffer = new char[8192];
                int n;
                while ((n = reader.read(buffer)) >= 0) {
                  out.write(java.nio.CharBuffer.wrap(buffer, 0, n));
                }
              } catch (IOException e) {
                // The pipe closes when the process group is killed.
              }
            },
            "step-output-" + step);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void drain(Thread pump) {
    try {
      pump.join(OUTPUT_DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean waitFor(Process process, Instant deadline, List<ProcessHandle> seen) {
    while (true) {
      long left = Duration.between(Instant.now(), deadline).toMillis();
      if (left <= 0) {
        return false;
      }
      try {
        if (process.waitFor(Math.min(left, 200), TimeUnit.MILLISECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      // Remember descendants while they are still attached, to kill any that leave the group.
      remember(process, seen);
    }
  }

  private static void remember(Process process, List<ProcessHandle> seen) {
    synchronized (seen) {
      process.descendants().filter(h -> !seen.contains(h)).forEach(seen::add);
    }
  }

  /**
   * Stops everything the step started: TERM to its processes, up to the grace period for them to
   * end, then KILL, and waits until they are reaped. In a PID namespace, KILL to {@code unshare}
   * takes its child, the namespace's init, and the kernel then kills and reaps every process left
   * in the namespace; otherwise the process group and every descendant seen get the signals.
   */
  private void killTree(Process process, List<ProcessHandle> seen) {
    remember(process, seen);
    List<ProcessHandle> all;
    synchronized (seen) {
      all = new ArrayList<>(seen);
    }
    if (isolation == Isolation.PROCESS_GROUP) {
      signalGroup("TERM", process.pid());
    }
    // The namespace's init ignores TERM unless it handles it (the kernel protects an init); the
    // other processes get it, and an init that handles it (a step that exec'd its tool) too.
    all.forEach(ProcessHandle::destroy);
    Instant giveUp = Instant.now().plus(killGrace);
    while (Instant.now().isBefore(giveUp)
        && (process.isAlive() || all.stream().anyMatch(LocalExecutor::running))
        && pause()) {
      // waiting for the step's processes to end on TERM
    }
    if (isolation == Isolation.PROCESS_GROUP) {
      signalGroup("KILL", process.pid());
    }
    all.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      // Reaps the step's own process (setsid's exec of unshare or sh).
      process.waitFor(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (isolation == Isolation.PID_NAMESPACE) {
      // The kernel reaps the namespace's processes as its init exits; wait until they are gone.
      Instant reaped = Instant.now().plus(REAP_WAIT);
      while (Instant.now().isBefore(reaped)
          && all.stream().anyMatch(ProcessHandle::isAlive)
          && pause()) {
        // waiting for the kernel to reap the namespace
      }
    }
  }

  /** Alive and not a zombie (a zombie has ended: it only waits for its parent to reap it). */
  private static boolean running(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Sleeps a moment; false if interrupted (the flag is kept). */
  private static boolean pause() {
    try {
      Thread.sleep(20);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void signalGroup(String signal, long group) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, "--", "-" + group)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.debugf("cannot signal process group %d: %s", group, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String cancelReason(Cancellation cancellation) {
    return "cancelled by " + cancellation.requestedBy();
  }

  static String human(long ms) {
    return human(Duration.ofMillis(ms));
  }

  static String human(Duration duration) {
    long ms = duration.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 120_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    return duration.toMinutes() + " min " + duration.toSecondsPart() + " s";
  }
}
