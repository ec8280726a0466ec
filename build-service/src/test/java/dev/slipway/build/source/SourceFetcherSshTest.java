package dev.slipway.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.build.GitFixture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clones over ssh through JGit's Apache MINA transport, from a real SSH server in this JVM (Apache
 * MINA sshd serving JGit's upload-pack): the host key is checked against the configured known_hosts
 * file only, and the only identity offered is the private key of the clone credentials.
 */
class SourceFetcherSshTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final KeyPair hostKey = ecKeyPair();
  private final KeyPair botKey = ecKeyPair();
  private SshServer server;
  private GitFixture.Repo repo;

  @BeforeEach
  void startServer() throws Exception {
    repo = GitFixture.create(Map.of("README.md", "cloned over ssh\n"));
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    server.setPublickeyAuthenticator(
        (user, key, session) ->
            user.equals("git") && KeyUtils.compareKeys(key, botKey.getPublic()));
    server.setCommandFactory(
        (channel, command) -> new UploadPackCommand(CommandFactory.split(command)));
    server.start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.stop(true);
  }

  @Test
  void cloneOverSshChecksOutTheCommitWithTheCredentialsKey() throws Exception {
    Path workspace = dir.resolve("build/src");

    SourceFetcher.Fetched fetched =
        fetcher(knownHosts(hostKey))
            .fetch(url(), repo.commit(), credentials(botKey), workspace, TIMEOUT);

    assertThat(fetched.commitSha()).isEqualTo(repo.commit());
    assertThat(workspace.resolve("README.md")).hasContent("cloned over ssh");
  }

  @Test
  void ed25519CredentialsAndHostKeyWork() throws Exception {
    KeyPair ed25519Bot = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    KeyPair ed25519Host = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    // An Apache MINA server does not start twice: a new one with ed25519 keys.
    server.stop(true);
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(ed25519Host));
    server.setPublickeyAuthenticator(
        (user, key, session) ->
            user.equals("git") && KeyUtils.compareKeys(key, ed25519Bot.getPublic()));
    server.setCommandFactory(
        (channel, command) -> new UploadPackCommand(CommandFactory.split(command)));
    server.start();
    Path workspace = dir.resolve("build/src");

    SourceFetcher.Fetched fetched =
        fetcher(knownHosts(ed25519Host))
            .fetch(url(), repo.commit(), credentials(ed25519Bot), workspace, TIMEOUT);

    assertThat(fetched.commitSha()).isEqualTo(repo.commit());
    assertThat(workspace.resolve("README.md")).hasContent("cloned over ssh");
    assertThat(credentials(ed25519Bot).orElseThrow().token())
        .startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
  }

  @Test
  void hostKeyNotInTheKnownHostsFileFailsTheClone() throws Exception {
    Path workspace = dir.resolve("build/src");

    assertThatThrownBy(
            () ->
                fetcher(knownHosts(ecKeyPair()))
                    .fetch(url(), repo.commit(), credentials(botKey), workspace, TIMEOUT))
        .isInstanceOf(SourceException.class)
        .hasMessage(
            "cannot fetch from the repository: the ssh host key of 127.0.0.1:%d is not in the"
                + " configured known_hosts file, or differs from it (Server key did not validate)",
            server.getPort());
    assertThat(workspace.resolve("README.md")).doesNotExist();
  }

  @Test
  void keyTheServerDoesNotAcceptFailsTheClone() throws Exception {
    Path workspace = dir.resolve("build/src");

    assertThatThrownBy(
            () ->
                fetcher(knownHosts(hostKey))
                    .fetch(url(), repo.commit(), credentials(ecKeyPair()), workspace, TIMEOUT))
        .isInstanceOf(SourceException.class)
        .hasMessage(
            "cannot fetch from the repository: 127.0.0.1:%d accepted no ssh key of the clone"
                + " credentials (No more authentication methods available)",
            server.getPort());
    assertThat(workspace.resolve("README.md")).doesNotExist();
  }

  @Test
  void credentialsThatHoldNoPrivateKeyFailTheCloneWithoutPrintingThem() throws Exception {
    String notAKey = "ghp_this-is-an-https-token-not-a-key";

    assertThatThrownBy(
            () ->
                fetcher(knownHosts(hostKey))
                    .fetch(
                        url(),
                        repo.commit(),
                        Optional.of(new SourceFetcher.Credentials("git", notAKey)),
                        dir.resolve("build/src"),
                        TIMEOUT))
        .isInstanceOf(SourceException.class)
        .hasMessageStartingWith("the clone credentials hold no")
        .hasMessageNotContaining(notAKey);
  }

  private String url() {
    return "ssh://git@127.0.0.1:" + server.getPort() + repo.dir().toAbsolutePath();
  }

  private SourceFetcher fetcher(Path knownHosts) {
    return new SourceFetcher(Optional.of(knownHosts));
  }

  private Path knownHosts(KeyPair trusted) throws Exception {
    Path file = dir.resolve("known_hosts");
    Files.writeString(
        file,
        "[127.0.0.1]:"
            + server.getPort()
            + " "
            + PublicKeyEntry.toString(trusted.getPublic())
            + "\n");
    return file;
  }

  private static Optional<SourceFetcher.Credentials> credentials(KeyPair key) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
        key, "slipway-bot", (OpenSSHKeyEncryptionContext) null, text);
    return Optional.of(
        new SourceFetcher.Credentials("git", text.toString(StandardCharsets.US_ASCII)));
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code git-upload-pack '<path>'}: JGit's upload-pack over the SSH channel. */
  private static final class UploadPackCommand implements Command, Runnable {
    private final List<String> argv;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    UploadPackCommand(List<String> argv) {
      this.argv = argv;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      new Thread(this, "ssh-upload-pack").start();
    }

    @Override
    public void run() {
      if (argv.size() != 2 || !argv.get(0).equals("git-upload-pack")) {
        exit.onExit(127, "only git-upload-pack is served");
        return;
      }
      Path path = Path.of(argv.get(1)).normalize();
      if (!path.startsWith(GitFixture.ROOT)) {
        exit.onExit(128, "not a repository of this server");
        return;
      }
      try (Repository repository =
          new FileRepositoryBuilder().setWorkTree(path.toFile()).setMustExist(true).build()) {
        new UploadPack(repository).upload(in, out, err);
        out.flush();
        exit.onExit(0);
      } catch (Exception e) {
        exit.onExit(1, String.valueOf(e.getMessage()));
      }
    }

    @Override
    public void destroy(ChannelSession channel) {
      // upload-pack ends with its stream
    }
  }
}
