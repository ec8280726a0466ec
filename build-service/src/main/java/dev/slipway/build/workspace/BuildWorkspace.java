package dev.slipway.build.workspace;

import java.nio.file.Path;

/**
 * The folders of one build: {@code src} (the checked-out commit, the steps' working tree), {@code
 * home} (the steps' home directory), {@code tmp} (the steps' {@code /tmp}), {@code out} (what the
 * image stage's container hands back, e.g. the pushed digest), {@code image} (that container's
 * image storage) and {@code private} (the service's own files for this build, such as the steps'
 * environment and the registry's auth file, never mounted whole into a container).
 *
 * @param root the build's folder
 */
public record BuildWorkspace(Path root) {

  public BuildWorkspace {
    root = root.toAbsolutePath().normalize();
  }

  /** The checked-out commit. */
  public Path source() {
    return root.resolve("src");
  }

  /** The steps' home directory, kept from one step to the next. */
  public Path home() {
    return root.resolve("home");
  }

  /** The steps' {@code /tmp}. */
  public Path tmp() {
    return root.resolve("tmp");
  }

  /** The image stage's container storage. */
  public Path imageStorage() {
    return root.resolve("image");
  }

  /** The service's own files of this build; only single files of it are ever mounted. */
  public Path privateDir() {
    return root.resolve("private");
  }

  /** What the image stage's container writes back. */
  public Path out() {
    return root.resolve("out");
  }
}
