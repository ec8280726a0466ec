package dev.slipway.build.service;

import dev.slipway.build.spec.BuildSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Cached paths between builds of one application, keyed by the hash of the named lockfiles: the
 * paths are restored before the steps when an entry with the same key exists, and saved after a
 * successful build when none does. Entries never change once written (written to a temporary
 * folder, then renamed), so concurrent builds of the same key never see half an entry.
 */
public final class BuildCache {

  private final Path root;

  public BuildCache(Path root) {
    this.root = root;
  }

  /**
   * The key of {@code cache} in {@code workspace}: sha256 over each key file's name and content.
   */
  public String key(Path workspace, BuildSpec.Cache cache) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String file : cache.key()) {
        Path path = inside(workspace, file);
        digest.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        if (Files.isRegularFile(path)) {
          digest.update(Files.readAllBytes(path));
        }
        digest.update((byte) 0);
      }
      for (String path : cache.paths()) {
        digest.update(path.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 1);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Restores the entry of {@code key}, if any; returns whether there was one. */
  public boolean restore(String application, String key, Path workspace, BuildSpec.Cache cache) {
    Path entry = entry(application, key);
    if (!Files.isDirectory(entry)) {
      return false;
    }
    for (String path : cache.paths()) {
      Path saved = entry.resolve(path);
      if (Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
        copy(saved, inside(workspace, path));
      }
    }
    return true;
  }

  /** Saves the paths under {@code key} unless an entry exists; returns whether it saved. */
  public boolean save(String application, String key, Path workspace, BuildSpec.Cache cache) {
    Path entry = entry(application, key);
    if (Files.isDirectory(entry)) {
      return false;
    }
    Path temporary = root.resolve(".incoming-" + UUID.randomUUID());
    try {
      for (String path : cache.paths()) {
        Path source = inside(workspace, path);
        if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
          copy(source, temporary.resolve(path));
        }
      }
      Files.createDirectories(temporary);
      Files.createDirectories(entry.getParent());
      Files.move(temporary, entry, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(temporary);
    }
  }

  /** Where {@code application}'s entry of {@code key} lives. */
  Path entry(String application, String key) {
    return root.resolve(application).resolve(key);
  }

  private static Path inside(Path workspace, String relative) {
    Path path = workspace.resolve(relative).normalize();
    if (!path.startsWith(workspace)) {
      throw new IllegalArgumentException(relative + " is outside the workspace");
    }
    return path;
  }

  /** Copies a file or a tree, keeping symbolic links as links (never following them out). */
  static void copy(Path source, Path target) {
    try {
      Files.createDirectories(target.getParent());
      if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
        Files.copy(
            source,
            target,
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES,
            LinkOption.NOFOLLOW_LINKS);
        return;
      }
      Files.walkFileTree(
          source,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              Files.createDirectories(target.resolve(source.relativize(dir).toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.copy(
                  file,
                  target.resolve(source.relativize(file).toString()),
                  StandardCopyOption.REPLACE_EXISTING,
                  StandardCopyOption.COPY_ATTRIBUTES,
                  LinkOption.NOFOLLOW_LINKS);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a file or tree if it exists. */
  static void delete(Path path) {
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

  /** How big an entry is, for the log. */
  static Optional<Long> size(Path path) {
    try (Stream<Path> walk = Files.walk(path)) {
      return Optional.of(
          walk.filter(Files::isRegularFile)
              .mapToLong(
                  p -> {
                    try {
                      return Files.size(p);
                    } catch (IOException e) {
                      return 0;
                    }
                  })
              .sum());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
