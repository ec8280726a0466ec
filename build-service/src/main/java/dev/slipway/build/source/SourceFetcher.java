package dev.slipway.build.source;

import dev.slipway.build.workspace.RepositoryPaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Checks a repository out at exactly one commit with JGit. It first asks the server for that commit
 * alone, shallow (servers that allow fetching a reachable commit by id, and any whose branch tip it
 * is); when the server refuses, it fetches the branches and tags in full and picks the commit. A
 * commit the repository does not hold (force-pushed away, say) fails the build with that reason.
 * Credentials travel in a credentials provider, never in the URL, so no message can print them.
 *
 * <p>Over ssh (JGit's Apache MINA transport) a fetch trusts only the host keys of the configured
 * known_hosts file (an unknown or changed key fails the clone) and offers only the private key of
 * the application's credentials: nothing of the service's own {@code ~/.ssh} (config, keys, known
 * hosts, agent) is ever used.
 */
public final class SourceFetcher {

  private static final Pattern COMMIT_ID = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
  private static final String LOCAL_REF = "refs/slipway/commit";

  private final Optional<Path> sshKnownHosts;

  /**
   * @param sshKnownHosts the known_hosts file ssh host keys are checked against
   */
  public SourceFetcher(Optional<Path> sshKnownHosts) {
    this.sshKnownHosts = sshKnownHosts;
  }

  /**
   * Read credentials for a clone.
   *
   * @param username sent with the token over https
   * @param token the token (https), or the private key in OpenSSH or PEM form (ssh)
   */
  public record Credentials(String username, String token) {}

  /** What a fetch did: the commit, whether shallow, how many submodules came with it. */
  public record Fetched(String commitSha, boolean shallow, int submodules) {
    public Fetched(String commitSha, boolean shallow) {
      this(commitSha, shallow, 0);
    }
  }

  /**
   * Fetches {@code commitSha} from {@code url} into the empty folder {@code workspace}, checks it
   * out (detached), then its submodules at their recorded commits, each URL checked by {@code
   * policy} (see {@link Submodules}); fails when the commit keeps files in Git LFS, which this
   * service does not fetch.
   */
  public Fetched fetch(
      String url,
      String commitSha,
      Optional<Credentials> credentials,
      Path workspace,
      Duration timeout,
      UnaryOperator<String> policy,
      Consumer<String> log) {
    Fetched fetched = fetch(url, commitSha, credentials, workspace, timeout);
    RepositoryPaths checkout = new RepositoryPaths(workspace);
    int submodules =
        new Submodules(this, policy, log)
            .fetchAll(workspace, checkout, url, credentials, timeout, 1);
    Lfs.requireNone(workspace);
    return new Fetched(fetched.commitSha(), fetched.shallow(), submodules);
  }

  /** Fetches {@code commitSha} from {@code url} into an empty {@code folder} and checks it out. */
  void fetchInto(
      String url,
      String commitSha,
      Optional<Credentials> credentials,
      Path folder,
      Duration timeout) {
    fetch(url, commitSha, credentials, folder, timeout);
  }

  /**
   * Fetches {@code commitSha} from {@code url} into the empty folder {@code workspace} and checks
   * it out (detached), without its submodules.
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
    boolean ssh = CloneUrlPolicy.isSsh(url);
    CredentialsProvider provider =
        ssh
            ? null
            : credentials
                .<CredentialsProvider>map(
                    c -> new UsernamePasswordCredentialsProvider(c.username(), c.token()))
                .orElse(CredentialsProvider.getDefault());
    int seconds = (int) Math.max(1, timeout.toSeconds());
    try (SshdSessionFactory sessions = ssh ? sshSessions(credentials, workspace) : null;
        Git git = Git.init().setDirectory(workspace.toFile()).call()) {
      TransportConfigCallback transport =
          t -> {
            if (sessions != null && t instanceof SshTransport sshTransport) {
              sshTransport.setSshSessionFactory(sessions);
            }
          };
      boolean shallow = true;
      try {
        git.fetch()
            .setRemote(url)
            .setRefSpecs(new RefSpec("+" + commitSha + ":" + LOCAL_REF))
            .setDepth(1)
            .setCredentialsProvider(provider)
            .setTransportConfigCallback(transport)
            .setTimeout(seconds)
            .call();
      } catch (TransportException e) {
        if (isUnreachable(e)) {
          throw new SourceException("cannot fetch from the repository: " + reason(e, url), e);
        }
        shallow = false;
        git.fetch()
            .setRemote(url)
            .setRefSpecs(
                new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                new RefSpec("+refs/tags/*:refs/tags/*"))
            .setCredentialsProvider(provider)
            .setTransportConfigCallback(transport)
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
    } catch (GitAPIException | IOException e) {
      if (e instanceof org.eclipse.jgit.errors.IncorrectObjectTypeException) {
        throw new SourceException(commitSha + " is not a commit", e);
      }
      String reason = e instanceof TransportException t ? reason(t, url) : rootMessage(e);
      throw new SourceException("cannot fetch from the repository: " + reason, e);
    }
  }

  /**
   * The ssh sessions of one fetch: home and ssh folders beside the workspace (empty, so no config
   * file, key or agent of the service's user is found), host keys from the configured known_hosts
   * only, and the credentials' key as the only identity.
   */
  private SshdSessionFactory sshSessions(Optional<Credentials> credentials, Path workspace) {
    Path knownHosts =
        sshKnownHosts.orElseThrow(
            () -> new SourceException("ssh clones are not set up: no known_hosts file configured"));
    List<KeyPair> keys = credentials.map(c -> keyPairs(c.token())).orElse(List.of());
    Path home = workspace.toAbsolutePath().getParent();
    return new SshdSessionFactoryBuilder()
        .setHomeDirectory(home.toFile())
        .setSshDirectory(home.resolve(".ssh-slipway").toFile())
        .setConfigFile(dir -> null)
        .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
        .setDefaultIdentities(dir -> List.of())
        .setDefaultKeysProvider(dir -> keys)
        .setPreferredAuthentications("publickey")
        .setConnectorFactory(null)
        .build(null);
  }

  private static List<KeyPair> keyPairs(String privateKey) {
    try (InputStream in = new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8))) {
      List<KeyPair> keys = new ArrayList<>();
      Iterable<KeyPair> loaded =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName("clone credentials"), in, null);
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
      if (keys.isEmpty()) {
        throw new SourceException("the clone credentials hold no ssh private key");
      }
      return keys;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (e instanceof SourceException s) {
        throw s;
      }
      // The message of a parser names the format problem, never the key's content.
      throw new SourceException(
          "the clone credentials hold no usable ssh private key (OpenSSH or PEM, without a"
              + " passphrase): "
              + e.getClass().getSimpleName());
    }
  }

  /** Why a fetch failed, in words a user can act on where the library's are terse. */
  private static String reason(TransportException e, String url) {
    String root = rootMessage(e);
    String lower = root.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("server key did not validate")) {
      return "the ssh host key of "
          + hostOf(url)
          + " is not in the configured known_hosts file, or differs from it ("
          + root
          + ")";
    }
    if (lower.contains("no more authentication methods")) {
      return hostOf(url) + " accepted no ssh key of the clone credentials (" + root + ")";
    }
    return root;
  }

  private static String hostOf(String url) {
    try {
      URIish uri = new URIish(url);
      return uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    } catch (java.net.URISyntaxException e) {
      return "the server";
    }
  }

  private static boolean isUnreachable(TransportException e) {
    String message = rootMessage(e).toLowerCase(java.util.Locale.ROOT);
    return message.contains("not authorized")
        || message.contains("server key did not validate")
        || message.contains("no more authentication methods")
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
