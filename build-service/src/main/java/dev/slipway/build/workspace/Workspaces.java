package dev.slipway.build.workspace;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.Cancellation;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Makes and removes the workspace of each build under {@code slipway.build.workspace-dir}, each
 * with a disk quota ({@code slipway.build.workspace-quota}) the repository cannot raise. Where this
 * host lets the service mount filesystems (root, loop devices: local runs), the workspace is a
 * filesystem of its own of exactly that size, so a build that writes more gets "No space left on
 * device" and nothing else on the disk is touched; elsewhere (a Kubernetes pod, a non-root host)
 * the workspace is measured every few seconds and a build over its quota is stopped.
 *
 * <p>Making a filesystem takes a few tens of milliseconds, so one per worker is made ahead, in the
 * background, while the workers are busy or idle: a new workspace mounts a spare that no build has
 * ever seen (made by this process, never mounted before) and the next spare is made behind it.
 */
@ApplicationScoped
public class Workspaces {

  private static final Logger LOG = Logger.getLogger(Workspaces.class);
  private static final long MEASURE_EVERY_MS = 2000;

  private static final String SPARE = "spare-";

  private final Path root;
  private final long quota;
  private final int spareCount;
  private final AtomicBoolean mounting = new AtomicBoolean(true);
  private final Queue<Path> spares = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sparesWanted = new AtomicInteger();
  private final AtomicBoolean staleSparesRemoved = new AtomicBoolean();
  private final ExecutorService spareMaker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "workspace-spare");
            t.setDaemon(true);
            return t;
          });
  private final ScheduledExecutorService measurer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "workspace-quota");
            t.setDaemon(true);
            return t;
          });

  public Workspaces(BuildConfig config) {
    this.root = config.workspaceDir().toAbsolutePath().normalize();
    this.quota = bytes(config.workspaceQuota());
    this.spareCount = Math.max(1, config.workers());
  }

  /** The quota in bytes. */
  public long quota() {
    return quota;
  }

  /** Where the workspace of {@code buildId} is (whether or not it exists). */
  public BuildWorkspace of(String buildId) {
    return new BuildWorkspace(root.resolve(buildId));
  }

  /** An empty workspace for {@code buildId} (an earlier claim's leftovers are removed). */
  public BuildWorkspace create(String buildId) throws IOException {
    BuildWorkspace workspace = of(buildId);
    delete(workspace);
    Files.createDirectories(workspace.root());
    if (mounting.get() && !mount(workspace)) {
      mounting.set(false);
      LOG.warnf(
          "cannot mount a filesystem per workspace here: the quota of %s is enforced by measuring",
          human(quota));
    }
    Files.createDirectories(workspace.source());
    Files.createDirectories(workspace.home());
    Files.createDirectories(workspace.tmp());
    Files.createDirectories(workspace.out());
    Files.createDirectories(workspace.imageStorage());
    Files.createDirectories(workspace.privateDir());
    Files.setPosixFilePermissions(
        workspace.privateDir(), PosixFilePermissions.fromString("rwx------"));
    return workspace;
  }

  /**
   * Stops the build through {@code cancellation} once its workspace holds more than the quota;
   * nothing to do (a no-op handle) when the workspace is a filesystem of the quota's size.
   */
  public AutoCloseable enforce(BuildWorkspace workspace, Cancellation cancellation) {
    if (isMounted(workspace)) {
      return () -> {};
    }
    ScheduledFuture<?> check =
        measurer.scheduleWithFixedDelay(
            () -> {
              long used = size(workspace.root());
              if (used > quota) {
                cancellation.overLimit(
                    "the workspace holds "
                        + human(used)
                        + ", over its quota of "
                        + human(quota)
                        + " (slipway.build.workspace-quota)");
              }
            },
            MEASURE_EVERY_MS,
            MEASURE_EVERY_MS,
            TimeUnit.MILLISECONDS);
    return () -> check.cancel(false);
  }

  /** Removes a workspace and everything in it, never following a link out of it. */
  public void delete(BuildWorkspace workspace) throws IOException {
    if (isMounted(workspace)) {
      run(List.of("umount", "--lazy", workspace.root().toString()));
    }
    deleteTree(workspace.root());
    Files.deleteIfExists(image(workspace));
  }

  private boolean mount(BuildWorkspace workspace) {
    Path image = image(workspace);
    try {
      Files.createDirectories(image.getParent());
      Path spare = spares.poll();
      boolean ready = false;
      if (spare != null) {
        try {
          Files.move(spare, image, StandardCopyOption.REPLACE_EXISTING);
          ready = true;
        } catch (IOException e) {
          LOG.debugf("cannot use the spare filesystem %s: %s", spare, e.getMessage());
          Files.deleteIfExists(spare);
        }
      }
      if (!ready && !makeFilesystem(image)) {
        Files.deleteIfExists(image);
        return false;
      }
      if (!run(
          List.of(
              "mount", "-o", "loop,nosuid,nodev", image.toString(), workspace.root().toString()))) {
        Files.deleteIfExists(image);
        return false;
      }
      Files.deleteIfExists(workspace.root().resolve("lost+found"));
      // This host mounts workspaces: the next one's filesystem is made now, off the build's path.
      makeSpares();
      return true;
    } catch (IOException e) {
      LOG.debugf("cannot make the workspace filesystem: %s", e.getMessage());
      return false;
    }
  }

  /** A fresh ext4 filesystem of the quota's size in the file {@code image}. */
  private boolean makeFilesystem(Path image) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(quota);
    }
    // No journal, lazy inode tables, nothing reserved for root: a scratch disk made in ms.
    return run(
        List.of(
            "mkfs.ext4",
            "-q",
            "-F",
            "-m",
            "0",
            "-O",
            "^has_journal",
            "-E",
            "lazy_itable_init=1,lazy_journal_init=1",
            image.toString()));
  }

  /**
   * Makes, in the background, the spare filesystems missing to one per worker; spares a former
   * process left are removed first (only this process's own spares are ever mounted).
   */
  private void makeSpares() {
    int missing = spareCount - spares.size() - sparesWanted.get();
    for (int i = 0; i < missing; i++) {
      sparesWanted.incrementAndGet();
      spareMaker.execute(
          () -> {
            try {
              removeStaleSpares();
              Path spare = root.resolve(".filesystems").resolve(SPARE + UUID.randomUUID() + ".img");
              if (makeFilesystem(spare)) {
                spares.add(spare);
              } else {
                Files.deleteIfExists(spare);
              }
            } catch (IOException | RuntimeException e) {
              LOG.debugf("cannot make a spare workspace filesystem: %s", e.getMessage());
            } finally {
              sparesWanted.decrementAndGet();
            }
          });
    }
  }

  private void removeStaleSpares() throws IOException {
    if (staleSparesRemoved.getAndSet(true)) {
      return;
    }
    Path dir = root.resolve(".filesystems");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(SPARE)).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private Path image(BuildWorkspace workspace) {
    return root.resolve(".filesystems").resolve(workspace.root().getFileName() + ".img");
  }

  private static boolean isMounted(BuildWorkspace workspace) {
    try {
      String target = " " + workspace.root() + " ";
      return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .anyMatch(line -> line.contains(target));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean run(List<String> argv) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean done = process.waitFor(30, TimeUnit.SECONDS);
      if (!done || process.exitValue() != 0) {
        LOG.debugf("%s failed: %s", argv.get(0), out.strip());
        return false;
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Bytes on disk under {@code dir}, links not followed. */
  static long size(Path dir) {
    long[] total = {0};
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total[0] += attrs.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.debugf("cannot measure %s: %s", dir, e.getMessage());
    }
    return total[0];
  }

  /** {@code 10g}, {@code 512m}, {@code 64k} or a number of bytes. */
  static long bytes(String size) {
    String text = size.strip().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
    long unit =
        switch (text.charAt(text.length() - 1)) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          case 't' -> 1024L * 1024 * 1024 * 1024;
          default -> 1L;
        };
    String number = unit == 1 ? text : text.substring(0, text.length() - 1);
    return Long.parseLong(number.strip()) * unit;
  }

  static String human(long bytes) {
    if (bytes >= 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  /** Deletes a file or tree if it exists; links are removed, never followed. */
  public static void deleteTree(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
