package dev.slipway.launcher.platform;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The platform's processes as the operating system sees them: each started in its own session (a
 * Ctrl-C in the terminal, the terminal closing or the launcher exiting does not reach it) with
 * stdin from {@code /dev/null} and its output appended to {@code logs/NAME.log}, its pid and start
 * time in {@code run/NAME.pid}. A later launcher finds it again by that file; a pid the system has
 * since given to another process is not mistaken for it, since its start time differs.
 */
final class ProcessRunner {

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final PlatformLayout layout;

  ProcessRunner(PlatformLayout layout) {
    this.layout = layout;
  }

  /**
   * A packaged Quarkus application ({@code quarkus-app/quarkus-run.jar}) started in its own
   * directory, as {@code java OPTIONS -jar quarkus-run.jar}: its AppCDS archive records the class
   * path as Quarkus built it, relative, and the JVM ignores the archive (silently) when started
   * with another class path.
   */
  ProcessHandle startQuarkus(String name, List<String> options, Path jar, Map<String, String> env) {
    return start(
        name,
        java(options, jar.getFileName()),
        withJvmEnvironment(env),
        jar.toAbsolutePath().getParent());
  }

  /**
   * {@code env} after the environment every JVM of the platform gets ({@link
   * JvmOptions#ENVIRONMENT}).
   */
  static Map<String, String> withJvmEnvironment(Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(JvmOptions.ENVIRONMENT);
    all.putAll(env);
    return all;
  }

  /** {@code java OPTIONS -jar JAR ARGS}, with the JVM running this launcher. */
  static List<String> java(List<String> options, Path jar, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  Path log(String name) {
    return layout.logs().resolve(name + ".log");
  }

  private Path pidFile(String name) {
    return layout.run().resolve(name + ".pid");
  }

  /** Starts {@code name} in the background and remembers it. */
  ProcessHandle start(String name, List<String> command, Map<String, String> env) {
    return start(name, command, env, null);
  }

  /**
   * Starts {@code name} in the background in {@code directory} (null: this launcher's) and
   * remembers it.
   */
  ProcessHandle start(String name, List<String> command, Map<String, String> env, Path directory) {
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      full.add(SETSID.toString());
    }
    full.addAll(command);
    try {
      Files.createDirectories(layout.logs());
      Files.createDirectories(layout.run());
      ProcessBuilder builder =
          new ProcessBuilder(full)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      builder.environment().putAll(env);
      ProcessHandle process = builder.start().toHandle();
      Instant started = process.info().startInstant().orElse(Instant.EPOCH);
      Files.writeString(
          pidFile(name),
          process.pid() + "\n" + started.toEpochMilli() + "\n",
          StandardCharsets.UTF_8);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  /** Runs {@code name} in the foreground until it exits; its exit status. */
  int runToEnd(String name, List<String> command, Map<String, String> env, Duration timeout) {
    try {
      Files.createDirectories(layout.logs());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log(name).toFile()));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new PlatformException(
            name + " did not finish within " + timeout.toSeconds() + " s, see " + log(name));
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted while " + name + " ran", e);
    }
  }

  /** The live process {@code name} was started as, if any. */
  Optional<ProcessHandle> running(String name) {
    Path file = pidFile(name);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      long pid = Long.parseLong(lines.get(0).trim());
      Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      if (process.isPresent() && lines.size() > 1) {
        long started = Long.parseLong(lines.get(1).trim());
        long actual =
            process.get().info().startInstant().map(Instant::toEpochMilli).orElse(started);
        // The clock ticks of /proc are coarser than milliseconds: allow a second.
        if (Math.abs(actual - started) > 1000) {
          return Optional.empty();
        }
      }
      return process;
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every name with a pid file whose name starts with {@code prefix}. */
  List<String> known(String prefix) {
    if (!Files.isDirectory(layout.run())) {
      return List.of();
    }
    try (var files = Files.list(layout.run())) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".pid"))
          .map(f -> f.substring(0, f.length() - ".pid".length()))
          .filter(name -> name.startsWith(prefix))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Kills {@code name} at once (SIGKILL: no shutdown hook runs); whether it was running. */
  boolean kill(String name) {
    Optional<ProcessHandle> process = running(name);
    process.ifPresent(
        p -> {
          p.destroyForcibly();
          awaitExit(p, Duration.ofSeconds(30));
        });
    forget(name);
    return process.isPresent();
  }

  /** How a process ended when asked to stop. */
  enum Stopped {
    NOT_RUNNING,
    STOPPED,
    KILLED
  }

  /** Stops {@code name}: SIGTERM, then SIGKILL after {@code grace}; returns when it is gone. */
  Stopped stop(String name, Duration grace) {
    Optional<ProcessHandle> process = running(name);
    if (process.isEmpty()) {
      forget(name);
      return Stopped.NOT_RUNNING;
    }
    ProcessHandle p = process.get();
    p.destroy();
    Stopped how = Stopped.STOPPED;
    if (!awaitExit(p, grace)) {
      p.destroyForcibly();
      awaitExit(p, Duration.ofSeconds(30));
      how = Stopped.KILLED;
    }
    forget(name);
    return how;
  }

  private void forget(String name) {
    try {
      Files.deleteIfExists(pidFile(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The resident memory of a process in MB, from {@code /proc}. */
  static OptionalLong residentMegabytes(ProcessHandle process) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", process.pid() + "", "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return OptionalLong.empty();
  }
}
