package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSecretsTest {

  @TempDir Path dir;

  @Test
  void aSecretIsMadeOnceOwnerOnlyAndKeptForTheNextStart() throws Exception {
    String first = new LocalSecrets(dir).get("trigger-secret-key");
    String again = new LocalSecrets(dir).get("trigger-secret-key");

    assertThat(again).isEqualTo(first);
    assertThat(Base64.getDecoder().decode(first)).hasSize(32);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("trigger-secret-key"))))
        .isEqualTo("rw-------");
    assertThat(new LocalSecrets(dir).get("audit-db-password")).isNotEqualTo(first);
  }

  @Test
  void aSecretWrittenByTheEarlierScriptIsReadAsItIs() throws Exception {
    // openssl rand -base64 32 wrote them, with a newline.
    Files.writeString(dir.resolve("audit-db-password"), "c2VjcmV0LWZyb20tb3BlbnNzbA==\n");

    assertThat(new LocalSecrets(dir).get("audit-db-password"))
        .isEqualTo("c2VjcmV0LWZyb20tb3BlbnNzbA==");
  }
}
