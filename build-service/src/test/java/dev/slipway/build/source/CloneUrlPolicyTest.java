package dev.slipway.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which repository URLs a build may clone, and why the others are refused. */
class CloneUrlPolicyTest {

  private static final CloneUrlPolicy WITH_SSH = new CloneUrlPolicy(List.of(), true);
  private static final CloneUrlPolicy WITHOUT_SSH = new CloneUrlPolicy(List.of(), false);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          https://github.com/acme/shop.git
          https://git.example.com:8443/team/shop
          https://bot@github.com/acme/shop.git
          ssh://git@github.com/acme/shop.git
          ssh://git@git.example.com:2222/team/shop.git
          git@github.com:acme/shop.git
          deploy.bot@git.example.com:team/shop.git
          """)
  void httpsAndSshAreClonedAsGiven(String url) {
    assertThat(WITH_SSH.check(url)).isEqualTo(url);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ssh://git@github.com/acme/shop.git   | true
          SSH://git@github.com/acme/shop.git   | true
          git@github.com:acme/shop.git         | true
          https://github.com/acme/shop.git     | false
          file:///srv/git/shop.git             | false
          """)
  void sshUrlsAreRecognised(String url, boolean ssh) {
    assertThat(CloneUrlPolicy.isSsh(url)).isEqualTo(ssh);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ssh://git@github.com/acme/shop.git
          git@github.com:acme/shop.git
          """)
  void sshIsRefusedWhereNoKnownHostsFileIsConfigured(String url) {
    assertThatThrownBy(() -> WITHOUT_SSH.check(url))
        .isInstanceOf(SourceException.class)
        .hasMessage(
            "repository URL refused: ssh clones are not set up on this build-service"
                + " (slipway.build.source.ssh-known-hosts names no known_hosts file); use https");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          http://github.com/acme/shop.git          | scheme 'http' is not allowed (https, ssh, or file:// under an allowed root)
          git://github.com/acme/shop.git           | scheme 'git' is not allowed (https, ssh, or file:// under an allowed root)
          ext::sh%20-c%20id                        | scheme 'ext' is not allowed (https, ssh, or file:// under an allowed root)
          ftp://example.com/shop.git               | scheme 'ftp' is not allowed (https, ssh, or file:// under an allowed root)
          /srv/git/shop.git                        | scheme '' is not allowed (https, ssh, or file:// under an allowed root)
          https://bot:ghp_secret@github.com/a/b    | credentials belong in a credentials reference, not the URL
          ssh://git:hunter2@github.com/acme/shop   | credentials belong in a credentials reference, not the URL
          https:///acme/shop.git                   | no host in https:///acme/shop.git
          -uhttps://github.com/acme/shop.git       | it is not a URL
          file:///srv/git/shop.git                 | file:// is not allowed here
          """)
  void otherUrlsAreRefusedWithTheReason(String url, String reason) {
    assertThatThrownBy(() -> WITH_SSH.check(url))
        .isInstanceOf(SourceException.class)
        .hasMessage("repository URL refused: " + reason);
  }

  @Test
  void controlCharactersAndMissingUrlsAreRefused() {
    assertThatThrownBy(() -> WITH_SSH.check("https://github.com/acme/shop\n.git"))
        .hasMessage("repository URL refused: it is not a URL");
    assertThatThrownBy(() -> WITH_SSH.check(" ")).hasMessage("no repository URL to clone");
    assertThatThrownBy(() -> WITH_SSH.check(null)).hasMessage("no repository URL to clone");
  }

  @Test
  void fileUrlsAreClonedOnlyUnderAnAllowedRootEvenThroughALink(@TempDir Path dir)
      throws IOException {
    Path root = Files.createDirectories(dir.resolve("git"));
    Path repo = Files.createDirectories(root.resolve("shop.git"));
    Path outside = Files.createDirectories(dir.resolve("etc"));
    Files.createSymbolicLink(root.resolve("escape"), outside);
    CloneUrlPolicy policy = new CloneUrlPolicy(List.of(root), false);

    assertThat(policy.check(repo.toUri().toString()))
        .isEqualTo(repo.toRealPath().toUri().toString());
    assertThatThrownBy(() -> policy.check(outside.toUri().toString()))
        .hasMessageContaining("is outside the allowed file:// roots");
    assertThatThrownBy(() -> policy.check(root.resolve("escape").toUri().toString()))
        .hasMessageContaining("is outside the allowed file:// roots");
    assertThatThrownBy(() -> policy.check(root.toUri() + "../etc"))
        .hasMessageContaining("is outside the allowed file:// roots");
  }
}
