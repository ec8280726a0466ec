package dev.slipway.events.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.events.EventFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attestation format against golden vectors made outside Slipway's code (see {@code
 * src/test/resources/attestation/README.md}): DSSE's own PAE example, an envelope signed by openssl
 * and one signed by cosign.
 */
class AttestationVectorsTest {

  static final String SLIPWAY_KEY_ID = "SHA256:8TXDVCO8tY5S8GbYQhiUTFQvdvTKb6vh2JbdQIHhlZU";

  @Test
  void paeIsDsseV1sExampleByteForByte() {
    byte[] pae =
        Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void paeCountsBytesNotCharacters() {
    byte[] pae = Dsse.pae("t", "é".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
  }

  @Test
  void opensslSignedSlipwayEnvelopeVerifiesWithItsKey() throws Exception {
    DsseEnvelope envelope = DsseEnvelope.read(resource("slipway-provenance.dsse.json"));

    assertThat(sha256(envelope.pae()))
        .isEqualTo("7792ec5817f44410e9fb0668ba50f3a8bbe9c834d6c568ca9268c94ff86709e8");
    DsseVerifier.Result result = new DsseVerifier(slipwayKey()).verify(envelope);
    assertThat(result.verified()).isTrue();
    assertThat(result.keyId()).isEqualTo(SLIPWAY_KEY_ID);
  }

  @Test
  void keyIdIsTheSshFingerprintSsshKeygenPrints() {
    assertThat(PublicKeys.keyId(slipwayKey().get(0))).isEqualTo(SLIPWAY_KEY_ID);
  }

  @Test
  void keyFileWithPrivateAndPublicBlockYieldsOnlyThePublicKey() {
    List<ECPublicKey> keys =
        PublicKeys.readPem(new String(resource("slipway-test-key.pem"), StandardCharsets.US_ASCII));

    assertThat(keys).hasSize(1);
    assertThat(PublicKeys.keyId(keys.get(0))).isEqualTo(SLIPWAY_KEY_ID);
  }

  @Test
  void pemRoundTripsThroughToPem() {
    ECPublicKey key = slipwayKey().get(0);

    assertThat(PublicKeys.readPem(PublicKeys.toPem(key))).containsExactly(key);
  }

  @Test
  void statementAndPredicateReadAsSlipwayWritesThem() {
    byte[] json = resource("slipway-provenance.statement.json");
    Statement statement = Statement.read(json);
    SlsaProvenance provenance = SlsaProvenance.of(statement);

    assertThat(statement.predicateType()).isEqualTo(Statement.SLSA_PROVENANCE_V1);
    assertThat(
            statement.isAbout(
                "sha256:3f1c0b2e9c0de5a8e9a0f4a7d1b6c2e58f0a9d3c4b7e6f1a2d5c8b9e0f3a6d7c"))
        .isTrue();
    assertThat(provenance.buildDefinition().externalParameters().source())
        .isEqualTo(
            new SlsaProvenance.Source(
                "https://git.example.com/acme/shop.git",
                "refs/heads/main",
                "9fceb02d0ae598e95dc970b74767f19372d61af8"));
    assertThat(provenance.buildDefinition().resolvedDependencies())
        .extracting(SlsaProvenance.ResourceDescriptor::role)
        .containsExactly(SlsaProvenance.ROLE_SOURCE, SlsaProvenance.ROLE_BASE_IMAGE);
    // The records write the vector back byte for byte: the writer and the readers share one form.
    Statement rewritten =
        new Statement(
            statement.type(), statement.subject(), statement.predicateType(), provenance.toTree());
    assertThat(new String(rewritten.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(new String(json, StandardCharsets.UTF_8));
  }

  @Test
  void alteredPayloadNoLongerVerifiesAndTheReasonSaysSo() {
    DsseEnvelope envelope = DsseEnvelope.read(resource("slipway-provenance.dsse.json"));
    String body = new String(envelope.body(), StandardCharsets.UTF_8);
    String forged = body.replace("9fceb02d0ae598e95dc970b74767f19372d61af8", "0".repeat(40));
    DsseEnvelope tampered =
        new DsseEnvelope(
            envelope.payloadType(),
            Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)),
            envelope.signatures());

    DsseVerifier.Result result = new DsseVerifier(slipwayKey()).verify(tampered);

    assertThat(result.verified()).isFalse();
    assertThat(result.problem())
        .isEqualTo(
            "the signature by trusted key "
                + SLIPWAY_KEY_ID
                + " does not match the statement: it was altered after signing");
  }

  @Test
  void changedPayloadTypeNoLongerVerifies() {
    DsseEnvelope envelope = DsseEnvelope.read(resource("slipway-provenance.dsse.json"));
    DsseEnvelope retyped =
        new DsseEnvelope("application/json", envelope.payload(), envelope.signatures());

    assertThat(new DsseVerifier(slipwayKey()).verify(retyped).verified()).isFalse();
  }

  @Test
  void anotherKeyDoesNotVerifyAndIsNamed() throws Exception {
    DsseEnvelope envelope = DsseEnvelope.read(resource("slipway-provenance.dsse.json"));
    ECPublicKey other = newKey();

    DsseVerifier.Result result = new DsseVerifier(List.of(other)).verify(envelope);

    assertThat(result.verified()).isFalse();
    assertThat(result.problem())
        .isEqualTo(
            "signed by key "
                + SLIPWAY_KEY_ID
                + ", which is not a trusted key ("
                + PublicKeys.keyId(other)
                + ")");
  }

  @Test
  void anyOfSeveralTrustedKeysVerifies() throws Exception {
    DsseEnvelope envelope = DsseEnvelope.read(resource("slipway-provenance.dsse.json"));
    List<ECPublicKey> keys = List.of(newKey(), slipwayKey().get(0));

    assertThat(new DsseVerifier(keys).verify(envelope).keyId()).isEqualTo(SLIPWAY_KEY_ID);
  }

  @Test
  void cosignSignedEnvelopeVerifiesWithCosignsKey() {
    DsseEnvelope envelope = DsseEnvelope.read(resource("cosign-blob-provenance.dsse.json"));
    List<ECPublicKey> cosignKey =
        PublicKeys.readPem(new String(resource("cosign-test-key.pub"), StandardCharsets.US_ASCII));

    assertThat(new DsseVerifier(cosignKey).verify(envelope).verified()).isTrue();
    assertThat(new DsseVerifier(slipwayKey()).verify(envelope).verified()).isFalse();
    // cosign's vector is an in-toto v0.1 statement; Slipway reads v1 only and says so.
    assertThatThrownBy(() -> Statement.read(envelope.body()))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("not an in-toto Statement v1");
  }

  @Test
  void malformedEnvelopesNameTheField() {
    assertThatThrownBy(
            () ->
                DsseEnvelope.read(
                    "{\"payloadType\":\"x\",\"payload\":\"e30=\"}"
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("signatures");
    DsseEnvelope notBase64 =
        new DsseEnvelope("x", "%%%", List.of(new DsseEnvelope.Signature("", "AAAA")));
    assertThat(new DsseVerifier(slipwayKey()).verify(notBase64).problem())
        .isEqualTo("the envelope's payload is not base64");
  }

  @Test
  void otherCurvesAreRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    String pem = PublicKeys.toPem(generator.generateKeyPair().getPublic());

    assertThatThrownBy(() -> PublicKeys.readPem(pem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a P-256 key");
  }

  static List<ECPublicKey> slipwayKey() {
    return PublicKeys.readPem(
        new String(resource("slipway-test-key.pub"), StandardCharsets.US_ASCII));
  }

  static ECPublicKey newKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return (ECPublicKey) generator.generateKeyPair().getPublic();
  }

  static byte[] resource(String name) {
    try (InputStream in =
        AttestationVectorsTest.class.getResourceAsStream("/attestation/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no test vector " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
