package dev.slipway.build.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.build.spec.BuildSpecParser;
import dev.slipway.events.EventJson;
import dev.slipway.events.attestation.OciAttestations;
import dev.slipway.events.attestation.SlsaProvenance;
import dev.slipway.events.attestation.SlsaProvenance.BuildDefinition;
import dev.slipway.events.attestation.SlsaProvenance.ResourceDescriptor;
import dev.slipway.events.attestation.Statement;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two statements signed for every image, as pure functions of what the build knew: its SLSA v1
 * provenance and its SBOM (the CycloneDX document as the predicate, cosign's {@code cyclonedx}
 * type). Both name the image by repository and manifest digest.
 */
public final class ProvenanceStatements {

  /** Media type of the SBOM byproduct. */
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  private final String builderId;
  private final String version;

  /**
   * @param builderId {@code runDetails.builder.id}
   * @param version build-service's version, {@code runDetails.builder.version}
   */
  public ProvenanceStatements(String builderId, String version) {
    this.builderId = builderId;
    this.version = version;
  }

  /**
   * The provenance of image {@code imageName@imageDigest}.
   *
   * @param baseImages the images the built image starts from, pinned
   * @param sbomRef {@code registry/repo@sha256:...} of the pushed SBOM artifact
   * @param sbomSha256 hex SHA-256 of the SBOM document
   * @param finishedOn when the image and SBOM were pushed
   */
  public Statement provenance(
      BuildFacts facts,
      String imageName,
      String imageDigest,
      List<BuildFacts.ResolvedImage> baseImages,
      String sbomRef,
      String sbomSha256,
      Instant finishedOn) {
    List<ResourceDescriptor> dependencies = new ArrayList<>();
    dependencies.add(
        new ResourceDescriptor(
            null,
            "git+" + facts.cloneUrl() + "@" + facts.ref(),
            Map.of("gitCommit", facts.commit()),
            null,
            Map.of(SlsaProvenance.ROLE, SlsaProvenance.ROLE_SOURCE)));
    facts
        .toolchainImages()
        .forEach(image -> dependencies.add(image(image, SlsaProvenance.ROLE_TOOLCHAIN)));
    baseImages.forEach(image -> dependencies.add(image(image, SlsaProvenance.ROLE_BASE_IMAGE)));
    SlsaProvenance predicate =
        new SlsaProvenance(
            new BuildDefinition(
                SlsaProvenance.BUILD_TYPE,
                new SlsaProvenance.ExternalParameters(
                    new SlsaProvenance.Source(facts.repository(), facts.ref(), facts.commit()),
                    new SlsaProvenance.ConfigFile(
                        BuildSpecParser.FILE_NAME, Map.of("sha256", facts.configSha256())),
                    facts.spec().steps().stream()
                        .map(
                            step ->
                                new SlsaProvenance.Step(step.name(), step.run(), step.workdir()))
                        .toList(),
                    facts.spec().toolchain(),
                    facts.spec().image().builder().name().toLowerCase()),
                new SlsaProvenance.InternalParameters(
                    facts.application(),
                    facts.buildId(),
                    facts.runId(),
                    facts.attempt(),
                    facts.executor()),
                dependencies),
            new SlsaProvenance.RunDetails(
                new SlsaProvenance.Builder(builderId, Map.of("build-service", version)),
                new SlsaProvenance.BuildMetadata(facts.buildId(), facts.startedOn(), finishedOn),
                List.of(
                    new ResourceDescriptor(
                        "sbom",
                        "oci://" + sbomRef,
                        Map.of("sha256", sbomSha256),
                        CYCLONEDX_JSON,
                        null))));
    return new Statement(
        Statement.TYPE,
        List.of(Statement.Subject.ofOci(imageName, imageDigest)),
        Statement.SLSA_PROVENANCE_V1,
        predicate.toTree());
  }

  /** The SBOM of image {@code imageName@imageDigest} as a signed claim about it. */
  public Statement sbom(String imageName, String imageDigest, byte[] cyclonedxJson) {
    JsonNode bom;
    try {
      bom = EventJson.mapper().readTree(cyclonedxJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("the SBOM is not JSON: " + e.getMessage(), e);
    }
    return new Statement(
        Statement.TYPE,
        List.of(Statement.Subject.ofOci(imageName, imageDigest)),
        Statement.CYCLONEDX_BOM,
        bom);
  }

  private static ResourceDescriptor image(BuildFacts.ResolvedImage image, String role) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(SlsaProvenance.ROLE, role);
    String name = image.name().contains("@") ? image.name() : image.name() + "@" + image.digest();
    return new ResourceDescriptor(
        null,
        "oci://" + name,
        Map.of("sha256", OciAttestations.hex(image.digest())),
        null,
        annotations);
  }
}
