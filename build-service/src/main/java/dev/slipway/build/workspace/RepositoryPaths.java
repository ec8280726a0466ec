package dev.slipway.build.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Paths the repository names ({@code .slipway.yaml} fields, files found by walking the checkout),
 * resolved to their real paths inside the checked-out commit. A committed symbolic link (or one a
 * step created) may point anywhere on the host: to {@code /etc/shadow}, another application's
 * workspace, the service account's token, {@code /}. Every component of a path is resolved and the
 * path is refused, naming the field and its line, as soon as one of them is a link whose target
 * leaves the workspace; links that stay inside are followed. The caller then reads, copies or
 * mounts only the real path returned.
 */
public final class RepositoryPaths {

  private final Path root;
  private final Path base;

  /**
   * @param root the checked-out commit; resolved to its real path
   */
  public RepositoryPaths(Path root) {
    try {
      this.root = root.toRealPath();
      this.base = this.root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RepositoryPaths(Path root, Path base) {
    this.root = root;
    this.base = base;
  }

  /** The checkout's real path: no path may leave it. */
  public Path root() {
    return root;
  }

  /** The folder relative paths start from: the checkout, or an application's folder in it. */
  public Path base() {
    return base;
  }

  /**
   * The paths of an application that lives in {@code directory} of the checkout (a monorepo):
   * relative paths start there, and still may not leave the checkout.
   */
  public RepositoryPaths within(String directory, Field field) {
    Path resolved = resolve(directory, field);
    if (!Files.isDirectory(resolved)) {
      throw refused(field, directory, "is not a folder of this commit");
    }
    return new RepositoryPaths(root, resolved);
  }

  /**
   * Where a path comes from, for the message that refuses it.
   *
   * @param name the field, e.g. {@code image.files[0]}, or a description such as {@code reports
   *     match}
   * @param line its line in {@code .slipway.yaml}, 0 when not from it
   */
  public record Field(String name, int line) {
    /** {@code .slipway.yaml line 12: image.files[0]} or the name alone. */
    public String describe() {
      return line > 0 ? ".slipway.yaml line " + line + ": " + name : name;
    }
  }

  /**
   * The real path of {@code relative} (which need not exist), refused when it is absolute, climbs
   * with {@code ..}, or when it or a parent is a link leaving the workspace.
   */
  public Path resolve(String relative, Field field) {
    Path path = Path.of(relative);
    if (path.isAbsolute()) {
      throw refused(field, relative, "is absolute; paths are relative to the repository root");
    }
    Path current = base;
    Path walked = Path.of("");
    for (Path component : path.normalize()) {
      String name = component.toString();
      if (name.equals("..")) {
        throw refused(field, relative, "climbs with '..'; paths stay inside the repository");
      }
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      walked = walked.resolve(component);
      Path candidate = current.resolve(component);
      if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
        current = candidate;
        continue;
      }
      if (Files.isSymbolicLink(candidate)) {
        current = followInside(candidate, field, relative, walked);
      } else {
        current = candidate;
      }
    }
    return current;
  }

  /**
   * {@link #resolve} for a file or folder whose whole content is used (copied into an image,
   * cached, mounted as a build context): also refused when any link inside the folder leaves the
   * workspace.
   */
  public Path resolveTree(String relative, Field field) {
    Path resolved = resolve(relative, field);
    if (!Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS)) {
      return resolved;
    }
    try {
      Files.walkFileTree(
          resolved,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isSymbolicLink()) {
                String inner = relative + "/" + resolved.relativize(file);
                followInside(file, field, relative, Path.of(inner));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return resolved;
  }

  /**
   * Whether {@code file}, found by walking the checkout without following links, is safe to read:
   * not a link, or a link whose target stays inside. Throws for a link that leaves.
   */
  public Path checkFound(Path file, Field field) {
    if (!Files.isSymbolicLink(file)) {
      return file;
    }
    Path relative = root.relativize(file.toAbsolutePath());
    return followInside(file, field, relative.toString(), relative);
  }

  private Path followInside(Path link, Field field, String relative, Path walked) {
    Path target;
    try {
      target = link.toRealPath();
    } catch (NoSuchFileException e) {
      // A dangling link: judge where it would point.
      target = lexicalTarget(link);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!target.startsWith(root)) {
      String shown;
      try {
        shown = Files.readSymbolicLink(link).toString();
      } catch (IOException e) {
        shown = target.toString();
      }
      throw refused(
          field, relative, "is a link leaving the workspace (" + walked + " -> " + shown + ")");
    }
    return target;
  }

  private static Path lexicalTarget(Path link) {
    try {
      return link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static UnsafePathException refused(Field field, String relative, String why) {
    return new UnsafePathException(field.describe() + " '" + relative + "' " + why);
  }

  /** A path the repository named was refused; the message names the field, its line and why. */
  public static final class UnsafePathException extends RuntimeException {
    public UnsafePathException(String message) {
      super(message, null, false, false);
    }
  }
}
