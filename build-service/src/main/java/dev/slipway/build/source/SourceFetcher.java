package dev.slipway.build.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Checks a repository out at exactly one commit with JGit. It first asks the server for that commit
 * alone, shallow (servers that allow fetching a reachable commit by id, and any whose branch tip it
 * is); when the server refuses, it fetches the branches and tags in full and picks the commit. A
 * commit the repository does not hold (force-pushed away, say) fails the build with that reason.
 * Credentials travel in a credentials provider, never in the URL, so no message can print them.
 */
public final class SourceFetcher {

  private static final Pattern COMMIT_ID = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
  private static final String LOCAL_REF = "refs/slipway/commit";

  /** Read credentials for a clone. */
  public record Credentials(String username, String token) {}

  /** What a fetch did. */
  public record Fetched(String commitSha, boolean shallow) {}

  /**
   * Fetches {@code commitSha} from {@code url} into the empty folder {@code workspace} and checks
   * it out (detached).
   */
  public Fetched fetch(
      String url,
      String commitSha,
      Optional<Credentials> credentials,
      Path workspace,
      Duration timeout) {
    if (!COMMIT_ID.matcher(commitSha).matches()) {
      throw new SourceException("commit id refused: not a full hexadecimal object id");
    }
    CredentialsProvider provider =
        credentials
            .<CredentialsProvider>map(
                c -> new UsernamePasswordCredentialsProvider(c.username(), c.token()))
            .orElse(CredentialsProvider.getDefault());
    int seconds = (int) Math.max(1, timeout.toSeconds());
    try (Git git = Git.init().setDirectory(workspace.toFile()).call()) {
      boolean shallow = true;
      try {
        git.fetch()
            .setRemote(url)
            .setRefSpecs(new RefSpec("+" + commitSha + ":" + LOCAL_REF))
            .setDepth(1)
            .setCredentialsProvider(provider)
            .setTimeout(seconds)
            .call();
      } catch (TransportException e) {
        if (isUnreachable(e)) {
          throw new SourceException("cannot fetch from the repository: " + rootMessage(e), e);
        }
        shallow = false;
        git.fetch()
            .setRemote(url)
            .setRefSpecs(
                new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                new RefSpec("+refs/tags/*:refs/tags/*"))
            .setCredentialsProvider(provider)
            .setTimeout(seconds)
            .call();
      }
      Repository repository = git.getRepository();
      ObjectId id = ObjectId.fromString(commitSha.substring(0, 40));
      if (!repository.getObjectDatabase().has(id)) {
        throw new SourceException(
            "commit " + commitSha + " does not exist in the repository (force-pushed away?)");
      }
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit commit = walk.parseCommit(id);
        git.checkout().setName(commit.getName()).call();
      }
      return new Fetched(commitSha, shallow);
    } catch (GitAPIException | java.io.IOException e) {
      if (e instanceof org.eclipse.jgit.errors.IncorrectObjectTypeException) {
        throw new SourceException(commitSha + " is not a commit", e);
      }
      throw new SourceException("cannot fetch from the repository: " + rootMessage(e), e);
    }
  }

  private static boolean isUnreachable(TransportException e) {
    String message = rootMessage(e).toLowerCase(java.util.Locale.ROOT);
    return message.contains("not authorized")
        || message.contains("authentication")
        || message.contains("not found: ")
        || message.contains("repository not found")
        || message.contains("unknownhost")
        || message.contains("connection refused")
        || message.contains("not a git repository")
        || message.contains("does not appear to be a git repository");
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
