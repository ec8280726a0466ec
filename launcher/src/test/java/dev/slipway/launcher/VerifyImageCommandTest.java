package dev.slipway.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.events.attestation.PublicKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/**
 * What {@code verify-image} refuses before it reads anything, and the key forms it reads. Its
 * verdicts on real images are proven in build-service's {@code VerifyImageIT} and {@code
 * AttestationPublisherIT}, against images that service built and signed.
 */
class VerifyImageCommandTest {

  static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void aTagIsRefusedBecauseItCanMove() {
    assertThatThrownBy(() -> run("127.0.0.1:5000/shop:1.0", "--key", "k.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a tag can move: name the digest");
  }

  @Test
  void anImageWithoutKeysIsRefused() {
    assertThatThrownBy(() -> run("127.0.0.1:5000/shop@" + DIGEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no public key given");
  }

  @Test
  void keysAreReadFromPemOrFromTheKeysEndpointsJson() throws Exception {
    ECPublicKey key = newKey();
    String pem = PublicKeys.toPem(key);
    String json =
        "{\"keys\":[{\"keyId\":\""
            + PublicKeys.keyId(key)
            + "\",\"status\":\"ACTIVE\",\"publicKey\":\""
            + pem.replace("\n", "\\n")
            + "\"}]}";

    assertThat(VerifyImageCommand.keysIn(pem, "file")).containsExactly(key);
    assertThat(VerifyImageCommand.keysIn(json, "url")).containsExactly(key);
    assertThatThrownBy(() -> VerifyImageCommand.keysIn("nothing here", "k.pem"))
        .hasMessage("k.pem holds no ECDSA P-256 PUBLIC KEY");
  }

  private static void run(String... args) throws Exception {
    VerifyImageCommand.run(
        args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private static ECPublicKey newKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return (ECPublicKey) generator.generateKeyPair().getPublic();
  }
}
