package dev.slipway.launcher.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo shop's operating system: Debian 12 packages of the bookworm point release, fetched by
 * this machine's apt from its configured mirror ({@code apt-get download}), unpacked as dpkg
 * unpacks them ({@code dpkg-deb -x}) and listed as distroless images list theirs: each package's
 * control data ({@code dpkg-deb -f}) in {@code /var/lib/dpkg/status.d/<package>}. base-files gives
 * {@code /etc/os-release} (Debian 12), busybox-static serves the shop, and expat with libexpat1 are
 * bookworm's 2.5.0-1+deb12u2, which DEBIAN-CVE-2026-56410 (infra/advisories) affects and
 * bookworm-security's 2.5.0-1+deb12u3 fixes: the scan's Debian finding is real.
 */
final class DebianBase {

  /** The suite the packages come from: the point release, not bookworm-security. */
  static final String SUITE = "bookworm";

  /** The packages of the image, in the order they are unpacked. */
  static final List<String> PACKAGES =
      List.of("base-files", "busybox-static", "libexpat1", "expat");

  /** Where the packages' control data goes, one file a package. */
  static final String STATUS_D = "var/lib/dpkg/status.d";

  private static final long TIMEOUT_SECONDS = 120;

  private DebianBase() {}

  /**
   * Unpacks the packages into {@code rootfs} (emptied first), downloading into {@code cache} those
   * it does not hold yet.
   */
  static void unpack(Path cache, Path rootfs) {
    try {
      List<Path> debs = download(cache);
      delete(rootfs);
      Path status = rootfs.resolve(STATUS_D);
      Files.createDirectories(status);
      for (Path deb : debs) {
        run(null, "dpkg-deb", "-x", deb.toString(), rootfs.toString());
        String control = run(null, "dpkg-deb", "-f", deb.toString());
        Files.writeString(status.resolve(field(control, "Package")), control);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The .deb of each package in {@code cache}, fetched by apt where one is missing. */
  private static List<Path> download(Path cache) throws IOException {
    Files.createDirectories(cache);
    List<String> missing = new ArrayList<>();
    for (String pkg : PACKAGES) {
      if (cached(cache, pkg).isEmpty()) {
        missing.add(pkg + "/" + SUITE);
      }
    }
    if (!missing.isEmpty()) {
      List<String> command = new ArrayList<>(List.of("apt-get", "download", "-q"));
      command.addAll(missing);
      run(cache, command.toArray(String[]::new));
    }
    List<Path> debs = new ArrayList<>();
    for (String pkg : PACKAGES) {
      debs.add(
          cached(cache, pkg)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "apt-get download left no " + pkg + " package in " + cache)));
    }
    return debs;
  }

  /** The .deb of {@code pkg} in {@code cache} ({@code <pkg>_<version>_<arch>.deb}). */
  private static Optional<Path> cached(Path cache, String pkg) throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(pkg + "_"))
          .filter(f -> f.getFileName().toString().endsWith(".deb"))
          .findFirst();
    }
  }

  /** The value of {@code name} in a control stanza. */
  static String field(String control, String name) {
    for (String line : control.split("\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new IllegalStateException("a package's control data has no " + name + " field");
  }

  /** Runs {@code command} in {@code dir}; its standard output, or why it failed. */
  private static String run(Path dir, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          command[0] + " cannot be started: the demo needs Debian's apt and dpkg", e);
    }
    CompletableFuture<String> errors =
        CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    String output = read(process.getInputStream());
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed (exit "
              + process.exitValue()
              + "): "
              + errors.join().strip());
    }
    return output;
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and all below it, read-only folders included. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.toList();
    }
    // A package's folders may be read-only (dpkg-deb keeps their modes): open them first.
    for (Path path : paths) {
      if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        path.toFile().setWritable(true, true);
      }
    }
    for (Path path : paths.stream().sorted(Comparator.reverseOrder()).toList()) {
      Files.delete(path);
    }
  }
}
