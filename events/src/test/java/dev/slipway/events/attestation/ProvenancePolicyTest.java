package dev.slipway.events.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a deployer accepts as an image's provenance, decided from what {@link ImageVerifier} found:
 * the golden vector's provenance against the builder, repository and commit it must name, and the
 * reasons given for an unsigned image, a foreign signature and a provenance about another image.
 */
class ProvenancePolicyTest {

  static final String DIGEST =
      "sha256:3f1c0b2e9c0de5a8e9a0f4a7d1b6c2e58f0a9d3c4b7e6f1a2d5c8b9e0f3a6d7c";
  static final String REPO = "https://git.example.com/acme/shop.git";
  static final String COMMIT = "9fceb02d0ae598e95dc970b74767f19372d61af8";
  static final String KEY = AttestationVectorsTest.SLIPWAY_KEY_ID;

  private static final ProvenancePolicy SLIPWAY =
      new ProvenancePolicy(ProvenancePolicy.SLIPWAY_BUILDER, REPO, COMMIT);

  @Test
  void theGoldenProvenanceNamingBuilderRepositoryAndCommitIsAccepted() {
    ProvenancePolicy.Decision decision = SLIPWAY.decide(report(verified(vector())), DIGEST);

    assertThat(decision.accepted()).isTrue();
    assertThat(decision.keyId()).isEqualTo(KEY);
    assertThat(decision.provenance().buildDefinition().externalParameters().source().commit())
        .isEqualTo(COMMIT);
  }

  @Test
  void aRepositoryUrlWithoutDotGitOrWithASlashIsTheSameRepository() {
    assertThat(
            new ProvenancePolicy(
                    ProvenancePolicy.SLIPWAY_BUILDER, "https://git.example.com/acme/shop/", null)
                .decide(report(verified(vector())), DIGEST)
                .accepted())
        .isTrue();
  }

  @Test
  void anotherBuilderIsRefusedByName() {
    ProvenancePolicy.Decision decision =
        SLIPWAY.decide(report(verified(withBuilder("https://ci.attacker.example/"))), DIGEST);

    assertThat(decision.accepted()).isFalse();
    assertThat(decision.refusal())
        .isEqualTo(
            "the provenance signed by "
                + KEY
                + " was made by builder https://ci.attacker.example/, not Slipway's"
                + " (https://slipway.dev/build-service)");
  }

  @Test
  void anotherApplicationsRepositoryOrAnotherCommitIsRefused() {
    ProvenancePolicy otherRepo =
        new ProvenancePolicy(
            ProvenancePolicy.SLIPWAY_BUILDER, "https://git.example.com/acme/billing", COMMIT);
    ProvenancePolicy otherCommit =
        new ProvenancePolicy(ProvenancePolicy.SLIPWAY_BUILDER, REPO, "0".repeat(40));

    assertThat(otherRepo.decide(report(verified(vector())), DIGEST).refusal())
        .contains("names repository " + REPO + ", not https://git.example.com/acme/billing");
    assertThat(otherCommit.decide(report(verified(vector())), DIGEST).refusal())
        .contains("names commit " + COMMIT + ", not the run's " + "0".repeat(40));
  }

  @Test
  void anUnsignedImageIsRefusedSayingNothingIsAttached() {
    assertThat(SLIPWAY.decide(report(), DIGEST).refusal())
        .isEqualTo(
            "no attestation is attached to "
                + DIGEST
                + ": it is unsigned, or not built by Slipway");
  }

  @Test
  void envelopesThatDidNotVerifyAreRefusedWithWhatWasWrongWithEach() {
    ImageVerifier.Finding foreign =
        problem("signed by key SHA256:other, which is not a trusted key (" + KEY + ")");
    ImageVerifier.Finding altered =
        problem(
            "the signature by trusted key "
                + KEY
                + " does not match the statement: it was altered");
    ImageVerifier.Finding elsewhere =
        problem("validly signed, but about [shop@sha256:aaaa], not this image " + DIGEST);

    String refusal = SLIPWAY.decide(report(foreign, altered, elsewhere), DIGEST).refusal();

    assertThat(refusal)
        .startsWith("no provenance signed by a trusted build key names " + DIGEST + ": ")
        .contains(foreign.problem())
        .contains(altered.problem())
        .contains(elsewhere.problem());
  }

  @Test
  void aSignedSbomAloneIsNoProvenance() {
    ImageVerifier.Finding sbom =
        new ImageVerifier.Finding(
            "sha256:1", List.of("referrer"), Statement.CYCLONEDX_BOM, KEY, null, null, 3);

    assertThat(SLIPWAY.decide(report(sbom), DIGEST).refusal())
        .isEqualTo(
            "no provenance signed by a trusted build key names "
                + DIGEST
                + " (its 1 attestation(s) hold no SLSA provenance)");
  }

  @Test
  void aPolicyWithoutABuilderIsRefused() {
    assertThatThrownBy(() -> new ProvenancePolicy(" ", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keysAreReadFromPemTheKeysJsonAndAJwkSetAlike() {
    List<java.security.interfaces.ECPublicKey> pem = AttestationVectorsTest.slipwayKey();
    String jwks =
        new String(
            AttestationVectorsTest.resource("slipway-test-key.jwks.json"), StandardCharsets.UTF_8);
    String keysJson =
        "{\"keys\":[{\"keyId\":\"k\",\"status\":\"ACTIVE\",\"publicKey\":\""
            + PublicKeys.toPem(pem.get(0)).replace("\n", "\\n")
            + "\"}]}";

    assertThat(PublicKeys.parse(jwks, "jwks.json")).isEqualTo(pem);
    assertThat(PublicKeys.keyId(PublicKeys.parse(jwks, "jwks.json").get(0))).isEqualTo(KEY);
    assertThat(PublicKeys.parse(keysJson, "url")).isEqualTo(pem);
    assertThatThrownBy(() -> PublicKeys.parse("{\"keys\":[]}", "empty.json"))
        .hasMessage("empty.json holds no ECDSA P-256 PUBLIC KEY");
    assertThatThrownBy(() -> PublicKeys.parse("{not json", "bad.json"))
        .hasMessageStartingWith("bad.json: is neither PEM");
  }

  static SlsaProvenance vector() {
    return SlsaProvenance.of(
        Statement.read(AttestationVectorsTest.resource("slipway-provenance.statement.json")));
  }

  private static SlsaProvenance withBuilder(String builder) {
    Statement statement =
        Statement.read(AttestationVectorsTest.resource("slipway-provenance.statement.json"));
    ObjectNode predicate = statement.predicate().deepCopy();
    ((ObjectNode) predicate.path("runDetails").path("builder")).put("id", builder);
    return EventJson.readPayload(EventJson.writePayload(predicate), SlsaProvenance.class);
  }

  private static ImageVerifier.Finding verified(SlsaProvenance provenance) {
    return new ImageVerifier.Finding(
        "sha256:0", List.of("referrer"), Statement.SLSA_PROVENANCE_V1, KEY, null, provenance, null);
  }

  private static ImageVerifier.Finding problem(String problem) {
    return new ImageVerifier.Finding(
        "sha256:" + Math.abs(problem.hashCode()),
        List.of("referrer"),
        Statement.SLSA_PROVENANCE_V1,
        "SHA256:other",
        problem,
        null,
        null);
  }

  private static ImageVerifier.Report report(ImageVerifier.Finding... findings) {
    return new ImageVerifier.Report("test", List.of(findings));
  }
}
