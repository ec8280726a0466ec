package dev.slipway.build.manifest;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import dev.slipway.build.image.OciArtifacts;
import dev.slipway.events.RenderedManifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushes a build's rendered manifests beside its image as one OCI artifact (see {@link
 * OciArtifacts}): {@code artifactType} {@link RenderedManifests#MEDIA_TYPE}, one layer of YAML per
 * environment titled {@code <environment>.yaml}, tagged {@code sha256-<image digest
 * hex>.manifests}.
 */
public final class ManifestPublisher {

  private final OciArtifacts artifacts;

  public ManifestPublisher(String registry, boolean insecure, Optional<Credential> credential) {
    this.artifacts = new OciArtifacts(registry, insecure, credential);
  }

  /**
   * Pushes {@code renderings} (environment to YAML) for the image {@code repository@imageDigest}.
   */
  public RenderedManifests push(
      String repository, String imageDigest, Map<String, String> renderings) {
    List<OciArtifacts.Layer> layers = new ArrayList<>();
    for (Map.Entry<String, String> rendering : renderings.entrySet()) {
      layers.add(
          new OciArtifacts.Layer(
              RenderedManifests.MEDIA_TYPE,
              rendering.getValue().getBytes(StandardCharsets.UTF_8),
              Map.of("org.opencontainers.image.title", rendering.getKey() + ".yaml")));
    }
    try {
      DescriptorDigest digest =
          artifacts.push(
              repository, imageDigest, "manifests", RenderedManifests.MEDIA_TYPE, layers);
      return new RenderedManifests(
          artifacts.registry() + "/" + repository,
          digest.toString(),
          List.copyOf(renderings.keySet()));
    } catch (IOException | RegistryException e) {
      throw new ManifestRenderer.ManifestException(
          "cannot push the rendered manifests: " + e.getMessage());
    }
  }
}
