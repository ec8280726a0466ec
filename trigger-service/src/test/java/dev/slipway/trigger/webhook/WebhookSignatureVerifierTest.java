package dev.slipway.trigger.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.trigger.GitProvider;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureVerifierTest {

  // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
  private static final byte[] SECRET =
      "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  private static final String HEX =
      "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  private final WebhookSignatureVerifier verifier = new WebhookSignatureVerifier();

  @Test
  void githubAndBitbucketSignSha256WithPrefix() {
    assertThat(verifier.verifies(GitProvider.GITHUB, "sha256=" + HEX, BODY, SECRET)).isTrue();
    assertThat(verifier.verifies(GitProvider.BITBUCKET, "sha256=" + HEX, BODY, SECRET)).isTrue();
    assertThat(verifier.verifies(GitProvider.GITHUB, HEX, BODY, SECRET)).isFalse();
    assertThat(verifier.verifies(GitProvider.GITHUB, "sha1=" + HEX, BODY, SECRET)).isFalse();
  }

  @Test
  void giteaSignsBareHex() {
    assertThat(verifier.verifies(GitProvider.GITEA, HEX, BODY, SECRET)).isTrue();
    assertThat(verifier.verifies(GitProvider.GITEA, "sha256=" + HEX, BODY, SECRET)).isFalse();
  }

  @Test
  void gitlabSendsTheTokenItself() {
    assertThat(verifier.verifies(GitProvider.GITLAB, "It's a Secret to Everybody", BODY, SECRET))
        .isTrue();
    assertThat(verifier.verifies(GitProvider.GITLAB, "It's a Secret", BODY, SECRET)).isFalse();
  }

  @Test
  void anyChangeToBodyOrSignatureFails() {
    byte[] altered = "Hello, World?".getBytes(StandardCharsets.UTF_8);
    String flipped = HEX.substring(0, 63) + "8";
    assertThat(verifier.verifies(GitProvider.GITHUB, "sha256=" + HEX, altered, SECRET)).isFalse();
    assertThat(verifier.verifies(GitProvider.GITHUB, "sha256=" + flipped, BODY, SECRET)).isFalse();
    assertThat(verifier.verifies(GitProvider.GITHUB, "sha256=zz", BODY, SECRET)).isFalse();
    assertThat(verifier.verifies(GitProvider.GITHUB, "", BODY, SECRET)).isFalse();
  }
}
