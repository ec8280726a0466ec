package dev.slipway.build.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.attestation.Dsse;
import dev.slipway.events.attestation.OciAttestations;
import dev.slipway.events.attestation.Statement;
import dev.slipway.launcher.VerifyImageCommand;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.ReferrersApiProxy;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attaching signed statements to an image in a real registry, both ways a registry may be: without
 * the referrers API (Debian's Distribution 2.8, the OCI tag-schema fallback) and with it (the same
 * registry behind {@link ReferrersApiProxy}, a test double of the API: no registry on this machine
 * has one). {@code verify-image} reads both.
 */
class AttestationPublisherIT {

  @TempDir Path dir;

  @Test
  void withoutReferrersApiTheFallbackIndexAndCosignImageListEveryAttestation() throws Exception {
    String repository = "attest-" + UUID.randomUUID();
    String image = pushImage(repository);
    AttestationPublisher publisher = publisher(OciRegistry.address());

    AttestationPublisher.Attached attached =
        publisher.attach(repository, subject(repository, image), signed(repository, image));

    assertThat(attached.referrersApi()).isFalse();
    JsonPath index =
        JsonPath.from(OciRegistry.manifest(repository, OciAttestations.fallbackTag(image)));
    assertThat(index.getString("mediaType")).isEqualTo(OciAttestations.OCI_INDEX);
    assertThat(index.getList("manifests.digest")).containsExactlyElementsOf(attached.referrers());
    assertThat(index.getList("manifests.artifactType")).containsOnly(Dsse.ENVELOPE_MEDIA_TYPE);
    assertThat(index.getList("manifests.annotations.'in-toto.io/predicate-type'"))
        .containsExactly(Statement.SLSA_PROVENANCE_V1, Statement.CYCLONEDX_BOM);
    JsonPath referrer =
        JsonPath.from(OciRegistry.manifest(repository, attached.referrers().get(0)));
    assertThat(referrer.getString("subject.digest")).isEqualTo(image);
    assertThat(referrer.getString("subject.mediaType")).isEqualTo(OciRegistry.OCI_MANIFEST);
    assertThat(referrer.getString("artifactType")).isEqualTo(Dsse.ENVELOPE_MEDIA_TYPE);
    assertThat(referrer.getString("config.mediaType")).isEqualTo(OciAttestations.EMPTY_CONFIG);
    JsonPath cosign =
        JsonPath.from(OciRegistry.manifest(repository, OciAttestations.cosignTag(image)));
    assertThat(cosign.getList("layers.mediaType")).containsOnly(Dsse.ENVELOPE_MEDIA_TYPE);
    assertThat(cosign.getList("layers.annotations.predicateType"))
        .containsExactly(Statement.SLSA_PROVENANCE_V1, Statement.CYCLONEDX_BOM);
    assertThat(cosign.getList("layers.annotations.'dev.cosignproject.cosign/signature'"))
        .containsOnly("");
    JsonPath config =
        JsonPath.from(
            new String(
                OciRegistry.blob(repository, cosign.getString("config.digest")),
                StandardCharsets.UTF_8));
    assertThat(config.getList("rootfs.diff_ids")).isEqualTo(cosign.getList("layers.digest"));

    String out = verify(OciRegistry.address(), repository, image);
    assertThat(out)
        .contains(
            "found:    2 referrer(s) (no referrers API, tag-schema fallback index); cosign .att image")
        .contains("provenance (in referrer sha256:")
        .contains("source:   https://git.example.com/acme/shop.git")
        .endsWith("VERIFIED\n");
  }

  @Test
  void aSecondAttestationOfTheSameImageKeepsTheFirstAndWhatOtherToolsAttached() throws Exception {
    String repository = "attest-" + UUID.randomUUID();
    String image = pushImage(repository);
    String foreign =
        OciRegistry.pushArtifact(
            repository, "foreign", "application/example", "x".getBytes(StandardCharsets.UTF_8));
    OciRegistry.pushManifest(
        repository,
        OciAttestations.fallbackTag(image),
        OciRegistry.OCI_INDEX,
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + OciRegistry.OCI_INDEX
                + "\",\"manifests\":"
                + "[{\"mediaType\":\""
                + OciRegistry.OCI_MANIFEST
                + "\",\"digest\":\""
                + foreign
                + "\",\"size\":1,\"artifactType\":\"application/example\","
                + "\"annotations\":{\"by\":\"another tool\"}}]}")
            .getBytes(StandardCharsets.UTF_8));
    AttestationPublisher publisher = publisher(OciRegistry.address());

    AttestationPublisher.Attached first =
        publisher.attach(repository, subject(repository, image), signed(repository, image));
    AttestationPublisher.Attached second =
        publisher.attach(repository, subject(repository, image), signed(repository, image));

    JsonPath index =
        JsonPath.from(OciRegistry.manifest(repository, OciAttestations.fallbackTag(image)));
    assertThat(index.getList("manifests.digest"))
        .containsExactly(
            foreign,
            first.referrers().get(0),
            first.referrers().get(1),
            second.referrers().get(0),
            second.referrers().get(1));
    assertThat(index.getString("manifests[0].annotations.by")).isEqualTo("another tool");
    assertThat(
            JsonPath.from(OciRegistry.manifest(repository, OciAttestations.cosignTag(image)))
                .getList("layers"))
        .hasSize(4);
  }

  @Test
  void withTheReferrersApiTheRegistryIndexesThemAndNoFallbackTagIsWritten() throws Exception {
    try (ReferrersApiProxy proxy = ReferrersApiProxy.start()) {
      String repository = "attest-" + UUID.randomUUID();
      String image = pushImage(repository);
      AttestationPublisher publisher = publisher(proxy.address());

      AttestationPublisher.Attached attached =
          publisher.attach(repository, subject(repository, image), signed(repository, image));

      assertThat(attached.referrersApi()).isTrue();
      assertThat(OciRegistry.manifestDigest(repository, OciAttestations.fallbackTag(image)))
          .isNull();
      assertThat(OciRegistry.manifestDigest(repository, OciAttestations.cosignTag(image)))
          .isEqualTo(attached.cosignManifest());
      String out = verify(proxy.address(), repository, image);
      assertThat(out)
          .contains("found:    2 referrer(s) (the referrers API); cosign .att image")
          .endsWith("VERIFIED\n");
    }
  }

  private String verify(String registry, String repository, String image) throws Exception {
    Path key =
        Files.write(dir.resolve("key.pub"), SigningKeyStoreTest.vector("slipway-test-key.pub"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    VerifyImageCommand.run(
        new String[] {registry + "/" + repository + "@" + image, "--key", key.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  static AttestationPublisher publisher(String registry) {
    return new AttestationPublisher(
        new DistributionClient(
            registry, true, Optional.empty(), Optional.empty(), Duration.ofSeconds(10)));
  }

  static String pushImage(String repository) {
    return OciRegistry.pushArtifact(
        repository,
        "v1",
        "application/vnd.oci.image.layer.v1.tar",
        UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  static AttestationPublisher.Subject subject(String repository, String image) {
    return new AttestationPublisher.Subject(
        OciRegistry.OCI_MANIFEST,
        image,
        OciRegistry.manifest(repository, image).getBytes(StandardCharsets.UTF_8).length);
  }

  /** A provenance and an SBOM statement about {@code image}, signed with the test vector's key. */
  static List<AttestationPublisher.SignedStatement> signed(String repository, String image)
      throws Exception {
    Path file = Files.createTempFile("key", ".pem");
    Files.write(file, SigningKeyStoreTest.vector("slipway-test-key.pem"));
    StatementSigner signer =
        new StatementSigner(SigningKeyStore.parse(Files.readString(file), file));
    Files.delete(file);
    Statement vector =
        Statement.read(SigningKeyStoreTest.vector("slipway-provenance.statement.json"));
    Statement.Subject subject =
        Statement.Subject.ofOci(OciRegistry.address() + "/" + repository, image);
    Statement provenance =
        new Statement(Statement.TYPE, List.of(subject), vector.predicateType(), vector.predicate());
    Statement sbom =
        new ProvenanceStatements("https://slipway.dev/build-service", "test")
            .sbom(
                subject.name(),
                image,
                "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}"
                    .getBytes(StandardCharsets.UTF_8));
    return List.of(
        new AttestationPublisher.SignedStatement(
            provenance.predicateType(), signer.sign(provenance).toJson()),
        new AttestationPublisher.SignedStatement(sbom.predicateType(), signer.sign(sbom).toJson()));
  }
}
