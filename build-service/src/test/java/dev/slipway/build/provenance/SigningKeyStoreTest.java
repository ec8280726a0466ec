package dev.slipway.build.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.events.attestation.PublicKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing key: made once, kept, refused when it does not hold together; rotation. */
class SigningKeyStoreTest {

  @TempDir Path dir;

  @Test
  void keyIsMadeOnFirstStartPrivateToItsOwnerAndKeptAfterwards() throws IOException {
    Path file = dir.resolve("provenance/signing-key.pem");

    SigningKeyStore first = new SigningKeyStore(settings(file, true, null));
    SigningKeyStore second = new SigningKeyStore(settings(file, true, null));

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(second.active().keyId()).isEqualTo(first.active().keyId());
    assertThat(Files.readString(dir.resolve("provenance/signing-key.pem.pub")))
        .isEqualTo(PublicKeys.toPem(first.active().publicKey()));
    assertThat(first.published())
        .singleElement()
        .satisfies(
            key -> {
              assertThat(key.status()).isEqualTo(SigningKeyStore.KeyStatus.ACTIVE);
              assertThat(key.algorithm()).isEqualTo("ECDSA_P256_SHA256");
              assertThat(PublicKeys.keyId(PublicKeys.readPem(key.publicKey()).get(0)))
                  .isEqualTo(key.keyId());
            });
  }

  @Test
  void keyFileMadeByOpensslIsRead() throws IOException {
    Path file = dir.resolve("key.pem");
    Files.write(file, vector("slipway-test-key.pem"));

    SigningKeyStore store = new SigningKeyStore(settings(file, false, null));

    assertThat(store.active().keyId())
        .isEqualTo("SHA256:8TXDVCO8tY5S8GbYQhiUTFQvdvTKb6vh2JbdQIHhlZU");
  }

  @Test
  void missingKeyIsRefusedWhenItMayNotBeMade() {
    Path file = dir.resolve("absent.pem");

    assertThatThrownBy(() -> new SigningKeyStore(settings(file, false, null)))
        .hasMessageContaining("no attestation signing key at " + file);
    assertThat(file).doesNotExist();
  }

  @Test
  void publicKeyOfAnotherPairIsRefused() throws IOException {
    String ours = new String(vector("slipway-test-key.pem"), StandardCharsets.US_ASCII);
    Path other = dir.resolve("other.pem");
    new SigningKeyStore(settings(other, true, null));
    String otherPublic = Files.readString(dir.resolve("other.pem.pub"));
    String mixed = ours.substring(0, ours.indexOf("-----BEGIN PUBLIC KEY-----")) + otherPublic;
    Path file = dir.resolve("mixed.pem");
    Files.writeString(file, mixed);

    assertThatThrownBy(() -> new SigningKeyStore(settings(file, false, null)))
        .hasMessageContaining("its PUBLIC KEY does not belong to its PRIVATE KEY");
  }

  @Test
  void keyWithoutItsPublicHalfIsRefusedSayingHowToAddIt() throws IOException {
    String ours = new String(vector("slipway-test-key.pem"), StandardCharsets.US_ASCII);
    Path file = dir.resolve("private-only.pem");
    Files.writeString(file, ours.substring(0, ours.indexOf("-----BEGIN PUBLIC KEY-----")));

    assertThatThrownBy(() -> new SigningKeyStore(settings(file, false, null)))
        .hasMessageContaining("openssl pkey -in key.pem -pubout >> key.pem");
  }

  @Test
  void retiredKeysArePublishedAfterTheActiveOne() throws IOException {
    Path old = dir.resolve("old.pem");
    String oldId = new SigningKeyStore(settings(old, true, null)).active().keyId();
    Path retired = dir.resolve("retired.pem");
    Files.copy(dir.resolve("old.pem.pub"), retired);

    SigningKeyStore store = new SigningKeyStore(settings(dir.resolve("new.pem"), true, retired));

    assertThat(store.published())
        .extracting(SigningKeyStore.PublishedKey::status)
        .containsExactly(SigningKeyStore.KeyStatus.ACTIVE, SigningKeyStore.KeyStatus.RETIRED);
    assertThat(store.published().get(1).keyId()).isEqualTo(oldId);
  }

  static byte[] vector(String name) throws IOException {
    try (InputStream in = SigningKeyStoreTest.class.getResourceAsStream("/attestation/" + name)) {
      return in.readAllBytes();
    }
  }

  static BuildConfig.Provenance settings(Path file, boolean generate, Path retired) {
    return new BuildConfig.Provenance() {
      @Override
      public Path keyFile() {
        return file;
      }

      @Override
      public boolean generateKey() {
        return generate;
      }

      @Override
      public Optional<Path> retiredKeys() {
        return Optional.ofNullable(retired);
      }

      @Override
      public String builderId() {
        return "https://slipway.dev/build-service";
      }
    };
  }
}
