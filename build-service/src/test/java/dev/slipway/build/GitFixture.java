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
    return create(files, Map.of());
  }

  /**
   * A new repository with {@code files} and symbolic {@code links} (path to target, committed as
   * links, as {@code git add} of a link does) in its first commit on main.
   */
  public static Repo create(Map<String, String> files, Map<String, String> links) {
    Path dir = ROOT.resolve("repo-" + UUID.randomUUID());
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      for (Map.Entry<String, String> link : links.entrySet()) {
        Path path = dir.resolve(link.getKey());
        Files.createDirectories(path.getParent());
        Files.createSymbolicLink(path, Path.of(link.getValue()));
      }
      return commit(dir, files, "first");
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
