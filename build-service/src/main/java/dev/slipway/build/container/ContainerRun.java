package dev.slipway.build.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A container {@link Podman#start} started: its exit code as soon as conmon has it, and its output
 * read to its end on a thread of its own.
 *
 * <p>The exit code is conmon's exit file ({@code /run/libpod/exits/<id>}, podman's own state for
 * root, out of every container's sight), which conmon writes once it has reaped the container's
 * init: by then the kernel has killed and reaped every other process of the container's PID
 * namespace, so a step's code has ended for good. It is read as soon as it appears: an attached
 * {@code podman run --rm} client returned 230 to 260 ms after that file appeared here (it polls
 * podman's state, 250 ms apart by default, then removes the container). When podman's own clean-up
 * (conmon's exit command, or a {@code podman stop}) has consumed the file first, {@code podman
 * wait} answers from podman's database: the code is never guessed.
 *
 * <p>The output FIFO lies in the build's private folder, one per container: a container can read
 * its host path in {@code /proc/self/fd/1}, as it can its checkout's in {@code
 * /proc/self/mountinfo}; a step (not root) cannot reopen it (root's, mode 600), and the builder
 * (root) reopening it reaches its own output and nothing else.
 */
public final class ContainerRun {

  private static final Logger LOG = Logger.getLogger(ContainerRun.class);
  private static final Path EXIT_DIR = Path.of("/run/libpod/exits");

  /** How long after its output ended a container may take to have an exit file. */
  private static final Duration EXIT_FILE_GRACE = Duration.ofMillis(300);

  private final Podman podman;
  private final String name;
  private final Process client;
  private final Path cidFile;
  private final Path fifo;
  private final Thread reader;
  private String id;

  ContainerRun(Podman podman, String name, Process client, Path cidFile, Path fifo, Thread reader) {
    this.podman = podman;
    this.name = name;
    this.client = client;
    this.cidFile = cidFile;
    this.fifo = fifo;
    this.reader = reader;
  }

  /** The container's name, how it is stopped and removed. */
  public String name() {
    return name;
  }

  /**
   * The container's exit code ({@code 128 + n} when signal {@code n} ended it; podman's 125 to 127
   * when it could not start), once every process of it has ended; empty when {@code deadline}
   * passes first (stop it, then ask again).
   */
  public OptionalInt awaitExit(Instant deadline) {
    if (id == null) {
      if (!waitFor(client, deadline)) {
        return OptionalInt.empty();
      }
      int started = client.exitValue();
      if (started != 0) {
        // podman run -d failed: the container never ran; its reason is in the output.
        return OptionalInt.of(started);
      }
      try {
        id = Files.readString(cidFile, StandardCharsets.US_ASCII).strip();
      } catch (IOException e) {
        LOG.debugf("no container id for %s: %s", name, e.getMessage());
        return podman.awaitExit(name, deadline);
      }
    }
    Path exitFile = EXIT_DIR.resolve(id);
    long outputEnded = 0;
    long polls = 0;
    while (Instant.now().isBefore(deadline)) {
      OptionalInt code = read(exitFile);
      if (code.isPresent()) {
        return code;
      }
      if (!reader.isAlive()) {
        if (outputEnded == 0) {
          outputEnded = System.nanoTime();
        } else if (System.nanoTime() - outputEnded > EXIT_FILE_GRACE.toNanos()) {
          // Every process of it is gone and podman's clean-up took the file first.
          return podman.awaitExit(name, deadline);
        }
      }
      if (!sleep(polls++ < 400 ? 5 : 25)) {
        return OptionalInt.empty();
      }
    }
    return OptionalInt.empty();
  }

  /** Waits at most {@code atMost} for the container's output to be read to its end. */
  public void awaitOutput(Duration atMost) {
    try {
      reader.join(atMost.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes this run's own files (the output FIFO and the id file); the container stays. */
  public void discard() {
    for (Path file : new Path[] {fifo, cidFile}) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debugf("cannot delete %s: %s", file, e.getMessage());
      }
    }
  }

  private static OptionalInt read(Path exitFile) {
    try {
      String text = Files.readString(exitFile, StandardCharsets.US_ASCII).strip();
      // conmon may not have written the code yet.
      return text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      LOG.debugf("cannot read %s yet: %s", exitFile, e.getMessage());
      return OptionalInt.empty();
    }
  }

  private static boolean waitFor(Process process, Instant deadline) {
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
    }
  }

  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
