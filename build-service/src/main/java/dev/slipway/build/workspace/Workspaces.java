package dev.slipway.build.workspace;

import dev.slipway.build.config.BuildConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Makes and removes the workspace of each build under {@code slipway.build.workspace-dir}. */
@ApplicationScoped
public class Workspaces {

  private final Path root;

  public Workspaces(BuildConfig config) {
    this.root = config.workspaceDir().toAbsolutePath().normalize();
  }

  /** An empty workspace for {@code buildId} (an earlier claim's leftovers are removed). */
  public BuildWorkspace create(String buildId) throws IOException {
    BuildWorkspace workspace = new BuildWorkspace(root.resolve(buildId));
    delete(workspace);
    Files.createDirectories(workspace.source());
    Files.createDirectories(workspace.home());
    Files.createDirectories(workspace.tmp());
    Files.createDirectories(workspace.out());
    Files.createDirectories(workspace.imageStorage());
    Files.createDirectories(workspace.privateDir());
    Files.setPosixFilePermissions(
        workspace.privateDir(),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    return workspace;
  }

  /** Removes a workspace and everything in it, never following a link out of it. */
  public void delete(BuildWorkspace workspace) throws IOException {
    deleteTree(workspace.root());
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
