package dev.slipway.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Real Git repositories made by tests with JGit, under the {@code file://} root the service under
 * test allows ({@code target/test-git}).
 */
public final class GitFixture {

  /** The root the test profile allows file:// clones from. */
  public static final Path ROOT = Path.of("target", "test-git").toAbsolutePath();

  private GitFixture() {}

  /**
   * A repository.
   *
   * @param url its file:// URL
   * @param commit the sha of its last commit
   * @param dir its folder
   */
  public record Repo(String url, String commit, Path dir) {
    /** Commits these files on top and returns the repository at the new commit. */
    public Repo commit(Map<String, String> files) {
      return GitFixture.commit(dir, files, "more");
    }
  }

  /** A new repository with {@code files} in its first commit on main. */
  public static Repo create(Map<String, String> files) {
    Path dir = ROOT.resolve("repo-" + UUID.randomUUID());
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      return commit(dir, files, "first");
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Repo commit(Path dir, Map<String, String> files, String message) {
    try (Git git = Git.open(dir.toFile())) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
      git.add().addFilepattern(".").call();
      PersonIdent who = new PersonIdent("Ada Lovelace", "ada@example.com");
      RevCommit commit = git.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
      return new Repo(dir.toUri().toString(), commit.getName(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }
}
