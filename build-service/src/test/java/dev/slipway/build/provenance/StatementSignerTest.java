package dev.slipway.build.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.attestation.Dsse;
import dev.slipway.events.attestation.DsseEnvelope;
import dev.slipway.events.attestation.DsseVerifier;
import dev.slipway.events.attestation.Statement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelopes build-service signs verify with code that is not Slipway's: openssl checks the
 * signature over the PAE with the PEM public key, exactly what cosign's ECDSA verifier does.
 */
class StatementSignerTest {

  @TempDir Path dir;

  @Test
  void signedVectorStatementVerifiesWithOpensslAndWithTheSharedVerifier() throws Exception {
    Path keyFile = dir.resolve("key.pem");
    Files.write(keyFile, SigningKeyStoreTest.vector("slipway-test-key.pem"));
    SigningKeyStore.SigningKey key = SigningKeyStore.parse(Files.readString(keyFile), keyFile);
    Statement statement =
        Statement.read(SigningKeyStoreTest.vector("slipway-provenance.statement.json"));

    DsseEnvelope envelope = new StatementSigner(key).sign(statement);

    assertThat(envelope.payloadType()).isEqualTo(Dsse.INTOTO_PAYLOAD_TYPE);
    assertThat(envelope.signatures())
        .singleElement()
        .extracting(DsseEnvelope.Signature::keyid)
        .isEqualTo("SHA256:8TXDVCO8tY5S8GbYQhiUTFQvdvTKb6vh2JbdQIHhlZU");
    // The payload is the statement exactly as the golden vector spells it.
    assertThat(new String(envelope.body(), StandardCharsets.UTF_8))
        .isEqualTo(
            new String(
                SigningKeyStoreTest.vector("slipway-provenance.statement.json"),
                StandardCharsets.UTF_8));
    assertThat(new DsseVerifier(List.of(key.publicKey())).verify(envelope).verified()).isTrue();

    Path pae = Files.write(dir.resolve("pae"), envelope.pae());
    Path sig = Files.write(dir.resolve("sig"), envelope.signatures().get(0).bytes());
    Path pub =
        Files.write(dir.resolve("pub.pem"), SigningKeyStoreTest.vector("slipway-test-key.pub"));
    assertThat(
            openssl(
                "dgst",
                "-sha256",
                "-verify",
                pub.toString(),
                "-signature",
                sig.toString(),
                pae.toString()))
        .isEqualTo("Verified OK");

    Files.write(pae, Dsse.pae(Dsse.INTOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(
            openssl(
                "dgst",
                "-sha256",
                "-verify",
                pub.toString(),
                "-signature",
                sig.toString(),
                pae.toString()))
        .isEqualTo("Verification failure");
  }

  private static String openssl(String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);
    return out.lines().findFirst().orElse("").strip();
  }
}
