package dev.slipway.build.image;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplate;
import com.google.cloud.tools.jib.registry.RegistryClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Pushes a build's SBOM next to its image, through Jib's registry client, as the one-layer OCI
 * artifact Slipway's contract names: an OCI image manifest whose {@code artifactType} and layer
 * media type are {@code application/vnd.cyclonedx+json}, with the empty config, tagged {@code
 * sha256-<image digest hex>.sbom} in the image's repository.
 */
public final class SbomPublisher {

  /** Media type of a CycloneDX JSON document. */
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final String registry;
  private final boolean insecure;
  private final Optional<Credential> credential;

  public SbomPublisher(String registry, boolean insecure, Optional<Credential> credential) {
    this.registry = registry;
    this.insecure = insecure;
    this.credential = credential;
  }

  /**
   * Pushes {@code sbom} for the image {@code repository@imageDigest}.
   *
   * @param repository the repository inside the registry, e.g. {@code shop}
   * @return {@code registry/repository@sha256:...} of the artifact's manifest
   */
  public String push(String repository, String imageDigest, byte[] sbom) {
    FailoverHttpClient http = new FailoverHttpClient(insecure, false, event -> {});
    try {
      RegistryClient.Factory factory =
          RegistryClient.factory(EventHandlers.NONE, registry, repository, http);
      credential.ifPresent(factory::setCredential);
      RegistryClient client = factory.newRegistryClient();
      if (credential.isPresent()) {
        client.configureBasicAuth();
      }
      DescriptorDigest config = pushBlob(client, EMPTY);
      DescriptorDigest layer = pushBlob(client, sbom);
      ArtifactManifest manifest =
          new ArtifactManifest(
              CYCLONEDX_JSON,
              new Descriptor(EMPTY_CONFIG, config.toString(), EMPTY.length),
              List.of(new Descriptor(CYCLONEDX_JSON, layer.toString(), sbom.length)));
      String tag = "sha256-" + imageDigest.substring(imageDigest.indexOf(':') + 1) + ".sbom";
      DescriptorDigest digest = client.pushManifest(manifest, tag);
      return registry + "/" + repository + "@" + digest;
    } catch (IOException | RegistryException e) {
      throw new ImageException("push", null, "cannot push the SBOM: " + e.getMessage(), e);
    } finally {
      try {
        http.shutDown();
      } catch (IOException e) {
        // connections of a finished push
      }
    }
  }

  private static DescriptorDigest pushBlob(RegistryClient client, byte[] content)
      throws IOException, RegistryException {
    DescriptorDigest digest = digestOf(content);
    if (client.checkBlob(digest).isEmpty()) {
      client.pushBlob(digest, Blobs.from(new ByteArrayInputStream(content)), null, count -> {});
    }
    return digest;
  }

  private static DescriptorDigest digestOf(byte[] content) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
      return DescriptorDigest.fromHash(HexFormat.of().formatHex(hash));
    } catch (NoSuchAlgorithmException | DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The artifact's manifest, serialized by Jib's JSON mapper field by field. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  static final class ArtifactManifest implements ManifestTemplate {
    private final int schemaVersion = 2;
    private final String mediaType = OCI_MANIFEST;
    private final String artifactType;
    private final Descriptor config;
    private final List<Descriptor> layers;

    ArtifactManifest(String artifactType, Descriptor config, List<Descriptor> layers) {
      this.artifactType = artifactType;
      this.config = config;
      this.layers = layers;
    }

    @Override
    public int getSchemaVersion() {
      return schemaVersion;
    }

    @Override
    public String getManifestMediaType() {
      return mediaType;
    }
  }

  /** An OCI content descriptor. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  static final class Descriptor implements JsonTemplate {
    private final String mediaType;
    private final String digest;
    private final long size;

    Descriptor(String mediaType, String digest, long size) {
      this.mediaType = mediaType;
      this.digest = digest;
      this.size = size;
    }
  }
}
