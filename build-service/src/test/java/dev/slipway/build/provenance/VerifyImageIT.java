package dev.slipway.build.provenance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.attestation.DsseEnvelope;
import dev.slipway.events.attestation.OciAttestations;
import dev.slipway.events.attestation.PublicKeys;
import dev.slipway.events.attestation.SlsaProvenance;
import dev.slipway.events.attestation.Statement;
import dev.slipway.launcher.VerifyImageCommand;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Images built by the real pipeline carry signed provenance, and {@code ./slipway verify-image}
 * (the launcher's code, run here as a user runs it) accepts them and refuses what an attacker with
 * write access to the registry could attach instead: nothing, a statement altered after signing, a
 * genuine statement of another image, or a signature by another key.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class VerifyImageIT {

  static final String SLIPWAY_YAML =
      """
      version: 1
      steps:
        - name: package
          run: echo "built" > app.txt
      image:
        builder: dockerfile
      """;

  @TestHTTPResource("/api/builds/keys")
  URL keysUrl;

  private static Built built;

  record Built(String application, String digest, Envelope<CommitReceived> commit, String yaml) {
    String reference() {
      return OciRegistry.address() + "/" + application + "@" + digest;
    }
  }

  /** One Dockerfile build shared by the tests that read its image. */
  synchronized Built built() {
    if (built == null) {
      String application = SampleEvents.newApplication();
      GitFixture.Repo repo =
          GitFixture.create(
              Map.of(
                  ".slipway.yaml",
                  SLIPWAY_YAML,
                  "Dockerfile",
                  "FROM scratch\nCOPY app.txt /app.txt\n"));
      Envelope<CommitReceived> commit = Builds.start(application, repo);
      JsonPath build = Builds.awaitEnded(application);
      assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
      built = new Built(application, build.getString("image.digest"), commit, SLIPWAY_YAML);
    }
    return built;
  }

  @Test
  void keysAreOpenToAnyoneAndNameTheActiveKey() {
    JsonPath keys = given().get("/api/builds/keys").then().statusCode(200).extract().jsonPath();

    assertThat(keys.getString("keys[0].status")).isEqualTo("ACTIVE");
    assertThat(keys.getString("keys[0].algorithm")).isEqualTo("ECDSA_P256_SHA256");
    assertThat(keys.getString("keys[0].keyId"))
        .isEqualTo(PublicKeys.keyId(PublicKeys.readPem(keys.getString("keys[0].publicKey")).get(0)))
        .startsWith("SHA256:");
  }

  @Test
  void provenanceNamesTheSourceCommitBuildFileAndSteps() throws Exception {
    Built image = built();
    Statement statement = Statement.read(envelope(image, Statement.SLSA_PROVENANCE_V1).body());
    SlsaProvenance provenance = SlsaProvenance.of(statement);

    assertThat(statement.isAbout(image.digest())).isTrue();
    assertThat(statement.subject().get(0).name())
        .isEqualTo(OciRegistry.address() + "/" + image.application());
    SlsaProvenance.ExternalParameters external = provenance.buildDefinition().externalParameters();
    assertThat(external.source())
        .isEqualTo(
            new SlsaProvenance.Source(
                image.commit().data().repoUrl(),
                "refs/heads/main",
                image.commit().data().commitSha()));
    assertThat(external.config().digest())
        .containsEntry("sha256", sha256(image.yaml().getBytes(StandardCharsets.UTF_8)));
    assertThat(external.steps())
        .containsExactly(new SlsaProvenance.Step("package", "echo \"built\" > app.txt", "."));
    assertThat(external.image()).isEqualTo("dockerfile");
    assertThat(provenance.buildDefinition().resolvedDependencies().get(0).digest())
        .containsEntry("gitCommit", image.commit().data().commitSha());
    assertThat(provenance.runDetails().builder().id())
        .isEqualTo("https://slipway.dev/build-service");
    assertThat(provenance.runDetails().byproducts().get(0).mediaType())
        .isEqualTo("application/vnd.cyclonedx+json");
  }

  @Test
  void verifyImageAcceptsSlipwaysOwnImageAndPrintsItsSource() throws Exception {
    Built image = built();

    Verification result = verify(image.reference(), "--keys-url", keysUrl.toString());

    assertThat(result.ok()).isTrue();
    assertThat(result.out())
        .contains("source:   " + image.commit().data().repoUrl())
        .contains("commit:   " + image.commit().data().commitSha() + " (refs/heads/main)")
        .contains("sbom:     ")
        .endsWith("VERIFIED\n");
  }

  @Test
  void verifyImageRefusesAnUnsignedImage() throws Exception {
    String repository = "unsigned-" + UUID.randomUUID();
    String digest = AttestationPublisherIT.pushImage(repository);

    Verification result =
        verify(
            OciRegistry.address() + "/" + repository + "@" + digest,
            "--keys-url",
            keysUrl.toString());

    assertThat(result.ok()).isFalse();
    assertThat(result.out())
        .contains("FAILED: the image has no attestation: it is unsigned, or not built by Slipway");
  }

  @Test
  void verifyImageRefusesAStatementAlteredAfterSigning() throws Exception {
    Built image = built();
    DsseEnvelope genuine = envelope(image, Statement.SLSA_PROVENANCE_V1);
    String repository = "forged-" + UUID.randomUUID();
    String target = AttestationPublisherIT.pushImage(repository);
    // The attacker points the genuine statement at their image and claims the real commit.
    String forged =
        new String(genuine.body(), StandardCharsets.UTF_8)
            .replace(OciAttestations.hex(image.digest()), OciAttestations.hex(target))
            .replace(image.application(), repository);
    DsseEnvelope tampered =
        new DsseEnvelope(
            genuine.payloadType(),
            Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)),
            genuine.signatures());
    attach(repository, target, tampered);

    Verification result =
        verify(
            OciRegistry.address() + "/" + repository + "@" + target,
            "--keys-url",
            keysUrl.toString());

    assertThat(result.ok()).isFalse();
    assertThat(result.out())
        .contains("does not match the statement: it was altered after signing")
        .contains("FAILED: no provenance signed by a trusted key names this image");
  }

  @Test
  void verifyImageRefusesAGenuineStatementOfAnotherImage() throws Exception {
    Built image = built();
    String repository = "copied-" + UUID.randomUUID();
    String target = AttestationPublisherIT.pushImage(repository);
    attach(repository, target, envelope(image, Statement.SLSA_PROVENANCE_V1));

    Verification result =
        verify(
            OciRegistry.address() + "/" + repository + "@" + target,
            "--keys-url",
            keysUrl.toString());

    assertThat(result.ok()).isFalse();
    assertThat(result.out())
        .contains(
            "validly signed, but about ["
                + OciRegistry.address()
                + "/"
                + image.application()
                + "@"
                + image.digest()
                + "], not this image "
                + target);
  }

  @Test
  void verifyImageRefusesAnotherKey() throws Exception {
    Built image = built();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    Path other = Files.createTempFile("other", ".pub");
    Files.writeString(other, PublicKeys.toPem(generator.generateKeyPair().getPublic()));

    Verification result = verify(image.reference(), "--key", other.toString());

    assertThat(result.ok()).isFalse();
    assertThat(result.out()).contains(", which is not a trusted key (");
  }

  @Test
  void baseImagesAreNamedByDigestForBothBuilders() throws Exception {
    Built base = built();
    String baseTag = base.commit().data().commitSha().substring(0, 7);
    String files = SampleEvents.newApplication();
    Builds.start(
        files,
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: build
                    run: echo hi > hi.txt
                image:
                  builder: files
                  base: %s:%s
                  files: [hi.txt]
                  entrypoint: [/bin/cat, /app/hi.txt]
                """
                    .formatted(base.application(), baseTag))));
    String dockerfile = SampleEvents.newApplication();
    Builds.start(
        dockerfile,
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                SLIPWAY_YAML,
                "Dockerfile",
                "FROM %s/%s:%s\nCOPY app.txt /more.txt\n"
                    .formatted(OciRegistry.address(), base.application(), baseTag))));

    for (String application : List.of(files, dockerfile)) {
      JsonPath build = Builds.awaitEnded(application);
      assertThat(build.getString("status"))
          .as(() -> build.getString("failure.step") + ": " + build.getString("failure.reason"))
          .isEqualTo("SUCCEEDED");
      Built image = new Built(application, build.getString("image.digest"), null, null);
      SlsaProvenance provenance =
          SlsaProvenance.of(Statement.read(envelope(image, Statement.SLSA_PROVENANCE_V1).body()));
      assertThat(provenance.buildDefinition().resolvedDependencies())
          .filteredOn(d -> SlsaProvenance.ROLE_BASE_IMAGE.equals(d.role()))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.digest()).containsEntry("sha256", OciAttestations.hex(base.digest()));
                assertThat(d.uri())
                    .isEqualTo(
                        "oci://"
                            + OciRegistry.address()
                            + "/"
                            + base.application()
                            + ":"
                            + baseTag
                            + "@"
                            + base.digest());
              });
    }
  }

  /** Attaches {@code envelope} to {@code digest} as the pipeline attaches attestations. */
  private static void attach(String repository, String digest, DsseEnvelope envelope)
      throws Exception {
    AttestationPublisherIT.publisher(OciRegistry.address())
        .attach(
            repository,
            AttestationPublisherIT.subject(repository, digest),
            List.of(
                new AttestationPublisher.SignedStatement(
                    Statement.SLSA_PROVENANCE_V1, envelope.toJson())));
  }

  /** The envelope of {@code predicateType} attached to the built image, read from the registry. */
  static DsseEnvelope envelope(Built image, String predicateType) {
    JsonPath index =
        JsonPath.from(
            OciRegistry.manifest(image.application(), OciAttestations.fallbackTag(image.digest())));
    List<Map<String, Object>> entries = index.getList("manifests");
    for (Map<String, Object> entry : entries) {
      @SuppressWarnings("unchecked")
      Map<String, String> annotations = (Map<String, String>) entry.get("annotations");
      if (predicateType.equals(annotations.get(OciAttestations.INTOTO_PREDICATE_TYPE))) {
        JsonPath referrer =
            JsonPath.from(OciRegistry.manifest(image.application(), (String) entry.get("digest")));
        return DsseEnvelope.read(
            OciRegistry.blob(image.application(), referrer.getString("layers[0].digest")));
      }
    }
    throw new AssertionError("no " + predicateType + " referrer of " + image.reference());
  }

  record Verification(boolean ok, String out) {}

  static Verification verify(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean ok = VerifyImageCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.println("$ slipway verify-image " + String.join(" ", args) + "\n" + text);
    return new Verification(ok, text);
  }

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
