package dev.slipway.build.image;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Pushes a build's SBOM next to its image as the one-layer OCI artifact Slipway's contract names
 * (see {@link OciArtifacts}): {@code artifactType} and layer media type {@code
 * application/vnd.cyclonedx+json}, tagged {@code sha256-<image digest hex>.sbom} in the image's
 * repository.
 */
public final class SbomPublisher {

  /** Media type of a CycloneDX JSON document. */
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  private final OciArtifacts artifacts;

  public SbomPublisher(String registry, boolean insecure, Optional<Credential> credential) {
    this.artifacts = new OciArtifacts(registry, insecure, credential);
  }

  /**
   * Pushes {@code sbom} for the image {@code repository@imageDigest}.
   *
   * @param repository the repository inside the registry, e.g. {@code shop}
   * @return {@code registry/repository@sha256:...} of the artifact's manifest
   */
  public String push(String repository, String imageDigest, byte[] sbom) {
    try {
      DescriptorDigest digest =
          artifacts.push(
              repository,
              imageDigest,
              "sbom",
              CYCLONEDX_JSON,
              List.of(new OciArtifacts.Layer(CYCLONEDX_JSON, sbom, null)));
      return artifacts.registry() + "/" + repository + "@" + digest;
    } catch (IOException | RegistryException e) {
      throw new ImageException("push", null, "cannot push the SBOM: " + e.getMessage(), e);
    }
  }
}
