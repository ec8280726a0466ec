package dev.slipway.build.cache;

import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.build.workspace.Workspaces;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Cached paths between builds of one application, keyed by the hash of the named lockfiles, and
 * kept apart by trust. The builds of protected refs (the default branch, and the refs the registry
 * marks protected) share one scope: they restore from it and write to it. Every other ref has a
 * scope of its own: it restores from its own first, then from the protected scope, and writes only
 * its own. So a feature branch may start from {@code main}'s cache but can never plant an entry
 * that {@code main} (or another branch) restores.
 *
 * <p>An entry is a folder of versions and a {@code current} link to one of them: a save writes a
 * new version and its manifest (path, kind, mode and sha256 of every file), then replaces the link
 * with one rename, so a concurrent restore sees the old entry or the new one, never half of one; a
 * restore checks every file against the manifest and drops the whole restore on a mismatch. Paths
 * that are links leaving the checkout are refused, both saving (nothing of the host is cached) and
 * restoring (nothing is written through a committed link).
 */
public final class BuildCache {

  private static final String CURRENT = "current";
  private static final String MANIFEST = ".manifest";

  private final Path root;

  public BuildCache(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** Which entries a build of a ref may read and write. */
  public record Scope(String write, List<String> read) {

    /** The scope of a build of {@code ref}, protected or not. */
    public static Scope of(String ref, boolean isProtected) {
      String protectedScope = "protected";
      if (isProtected) {
        return new Scope(protectedScope, List.of(protectedScope));
      }
      String own = "ref-" + sha256(ref.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
      return new Scope(own, List.of(own, protectedScope));
    }
  }

  /** What a restore found. */
  public record Restored(String scope, String version) {}

  /**
   * The key of {@code cache}: sha256 over each key file's name and content (the files resolved
   * inside the checkout; one that is a link leaving it is refused) and the cached paths.
   */
  public String key(RepositoryPaths paths, BuildSpec spec) {
    BuildSpec.Cache cache = spec.cache();
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < cache.key().size(); i++) {
        String file = cache.key().get(i);
        Path path = paths.resolve(file, spec.field("cache.key[" + i + "]"));
        digest.update(file.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        if (Files.isRegularFile(path)) {
          digest.update(Files.readAllBytes(path));
        }
        digest.update((byte) 0);
      }
      for (String path : cache.paths()) {
        digest.update(path.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 1);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Restores the first entry of {@code key} the scope may read into the checkout; empty when there
   * is none. Throws {@link CorruptEntryException} when an entry fails its checksum (what was
   * restored of it is removed again).
   */
  public Optional<Restored> restore(
      String application, Scope scope, String key, RepositoryPaths paths, BuildSpec spec) {
    List<Path> targets = targets(paths, spec);
    for (String readable : scope.read()) {
      Path entry = entry(application, readable, key);
      Path version;
      try {
        version = entry.resolve(Files.readSymbolicLink(entry.resolve(CURRENT)));
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        Manifest manifest = Manifest.read(version.resolveSibling(version.getFileName() + MANIFEST));
        for (int i = 0; i < spec.cache().paths().size(); i++) {
          Path saved = version.resolve(Integer.toString(i));
          if (Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
            copyChecked(saved, targets.get(i), manifest, Integer.toString(i));
          }
        }
      } catch (CorruptEntryException | IOException | UncheckedIOException e) {
        targets.forEach(Workspaces::deleteTree);
        if (e instanceof CorruptEntryException corrupt) {
          throw corrupt;
        }
        // The entry was replaced (its old version removed) while it was read: a miss.
        continue;
      }
      return Optional.of(new Restored(readable, version.getFileName().toString()));
    }
    return Optional.empty();
  }

  /**
   * Saves the cached paths as the new version of {@code key} in the scope's write entry, replacing
   * the one before atomically.
   */
  public void save(
      String application, Scope scope, String key, RepositoryPaths paths, BuildSpec spec) {
    List<Path> sources = new ArrayList<>();
    for (int i = 0; i < spec.cache().paths().size(); i++) {
      sources.add(
          paths.resolveTree(spec.cache().paths().get(i), spec.field("cache.paths[" + i + "]")));
    }
    Path entry = entry(application, scope.write(), key);
    String version = "v-" + UUID.randomUUID();
    Path target = entry.resolve(version);
    try {
      Files.createDirectories(target);
      Manifest manifest = new Manifest();
      for (int i = 0; i < sources.size(); i++) {
        if (Files.exists(sources.get(i), LinkOption.NOFOLLOW_LINKS)) {
          copyRecording(
              sources.get(i), target.resolve(Integer.toString(i)), manifest, Integer.toString(i));
        }
      }
      manifest.write(entry.resolve(version + MANIFEST));
      Path link = entry.resolve(".current-" + UUID.randomUUID());
      Files.createSymbolicLink(link, Path.of(version));
      Path previous = null;
      try {
        previous = entry.resolve(Files.readSymbolicLink(entry.resolve(CURRENT)));
      } catch (NoSuchFileException e) {
        // the first save of this key
      }
      Files.move(
          link,
          entry.resolve(CURRENT),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      if (previous != null && !previous.getFileName().toString().equals(version)) {
        Workspaces.deleteTree(previous);
        Files.deleteIfExists(previous.resolveSibling(previous.getFileName() + MANIFEST));
      }
    } catch (IOException e) {
      Workspaces.deleteTree(target);
      throw new UncheckedIOException(e);
    }
  }

  /** Where {@code application}'s entry of {@code key} in {@code scope} lives. */
  Path entry(String application, String scope, String key) {
    return root.resolve(application).resolve(scope).resolve(key);
  }

  /** The cached paths in the checkout, each refused when it (or a link in it) leads out. */
  private static List<Path> targets(RepositoryPaths paths, BuildSpec spec) {
    List<Path> targets = new ArrayList<>();
    for (int i = 0; i < spec.cache().paths().size(); i++) {
      targets.add(
          paths.resolveTree(spec.cache().paths().get(i), spec.field("cache.paths[" + i + "]")));
    }
    return targets;
  }

  /** Copies a file or tree into the cache, recording each file's sha256 in {@code manifest}. */
  private static void copyRecording(Path source, Path target, Manifest manifest, String prefix)
      throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            String relative = name(prefix, source.relativize(dir));
            Files.createDirectories(target.resolve(source.relativize(dir).toString()));
            manifest.add(relative, "d", mode(dir), "");
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String relative = name(prefix, source.relativize(file));
            Path to = target.resolve(source.relativize(file).toString());
            if (attrs.isSymbolicLink()) {
              Path link = Files.readSymbolicLink(file);
              Files.createSymbolicLink(to, link);
              manifest.add(relative, "l", "", link.toString());
            } else if (attrs.isRegularFile()) {
              Files.createDirectories(to.getParent());
              String sha = copyHashing(file, to);
              Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(file));
              manifest.add(relative, "f", mode(file), sha);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Copies a saved tree into the checkout, checking every file against the manifest. */
  private static void copyChecked(Path saved, Path target, Manifest manifest, String prefix)
      throws IOException {
    Files.walkFileTree(
        saved,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            manifest.expect(name(prefix, saved.relativize(dir)), "d", "");
            Path to = target.resolve(saved.relativize(dir).toString());
            if (Files.isSymbolicLink(to)) {
              Files.delete(to);
            }
            Files.createDirectories(to);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String relative = name(prefix, saved.relativize(file));
            Path to = target.resolve(saved.relativize(file).toString());
            Files.deleteIfExists(to);
            if (attrs.isSymbolicLink()) {
              Path link = Files.readSymbolicLink(file);
              manifest.expect(relative, "l", link.toString());
              Files.createSymbolicLink(to, link);
            } else {
              String sha = copyHashing(file, to);
              manifest.expect(relative, "f", sha);
              Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(file));
            }
            return FileVisitResult.CONTINUE;
          }
        });
    manifest.requireAllSeen(prefix);
  }

  private static String copyHashing(Path from, Path to) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in =
            new DigestInputStream(Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS), digest);
        OutputStream out = Files.newOutputStream(to)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String name(String prefix, Path relative) {
    String text = relative.toString();
    return text.isEmpty() ? prefix : prefix + "/" + text;
  }

  private static String mode(Path path) throws IOException {
    Set<PosixFilePermission> permissions =
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    return PosixFilePermissions.toString(permissions);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(sha256().digest(content));
  }

  /** A cache entry whose content does not match its manifest; the message says where. */
  public static final class CorruptEntryException extends RuntimeException {
    CorruptEntryException(String message) {
      super(message);
    }
  }
}
